package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import kvs.it.Programs;
import kvs.it.Programs.Result;
import kvs.it.ServerProcess;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kvs-client's interactive mode (README.md, "Interactive mode") through the real bin/kvs-client, piped and on a terminal. */
class ClientInteractiveIT {

    private static final Path CLIENT = ServerProcess.HOME.resolve("bin/kvs-client");

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    private ServerProcess server;

    @BeforeEach
    void start() throws IOException {
        server = ServerProcess.start(dir, logs);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Runs bin/kvs-client with {@code args} and --addr of the server, {@code stdin} its standard input, {@code env} added to its environment. */
    private Result client(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CLIENT.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--addr", server.addr()));
        Path in = Files.writeString(Files.createTempFile(logs, "kvs-client-", ".in"), stdin, StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectInput(in.toFile());
        builder.environment().remove("KVS_PASSWORD");
        builder.environment().putAll(env);
        return Programs.run(builder, logs);
    }

    @Test
    void pipedLines_runWithoutAPrompt_andTheExitCodeIsTheHighestOfTheirs() throws Exception {
        assertThat(client(Map.of(), "set a 1\nget a\nset 'two words' \"x\\ty\"\nmget a absent 'two words'\nping\n", "-i"))
                .isEqualTo(new Result(0, "1\n1\nKey not found\nx\ty\nPONG\n", ""));
        assertThat(client(Map.of(), "rm absent\nget a\n", "--interactive")).as("a failed line: exit 1")
                .isEqualTo(new Result(1, "1\n", "Key not found\n"));
        Result usage = client(Map.of(), "frob\nget a\nquit\nget a\n");
        assertThat(usage).as("no command: a session too; a usage error: exit 2; quit ends it")
                .isEqualTo(new Result(2, "1\n", "unknown command 'frob' (help lists the commands)\n"));
        assertThat(client(Map.of(), "")).as("no lines").isEqualTo(new Result(0, "", ""));
        assertThat(client(Map.of(), "", "-i", "get", "a").exit()).as("-i with a command").isEqualTo(2);
    }

    /** JLine is for a terminal: a one-shot command, and a session of piped lines, load none of its classes (start-up time). */
    @Test
    void neitherAOneShotCommand_norAPipedSession_loadsJLine() throws Exception {
        Path oneShot = logs.resolve("one-shot.classes");
        assertThat(client(Map.of("KVS_JAVA_OPTS", "-Xlog:class+load=info:file=" + oneShot), "", "ping"))
                .isEqualTo(new Result(0, "PONG\n", ""));
        Path piped = logs.resolve("piped.classes");
        assertThat(client(Map.of("KVS_JAVA_OPTS", "-Xlog:class+load=info:file=" + piped), "ping\n", "-i"))
                .isEqualTo(new Result(0, "PONG\n", ""));
        for (Path classes : List.of(oneShot, piped)) {
            // JLine's own classes, not the JDK's copy of it (jdk.internal.org.jline, which System.console() may load).
            assertThat(Files.readString(classes)).as("classes loaded (%s)", classes).contains("kvs.cli.ClientMain")
                    .doesNotContain("[class,load] org.jline.");
        }
    }

    /**
     * On a terminal (a pseudo-terminal of util-linux's script): the prompt, a command, completion of
     * a command's name, Ctrl-C dropping the line, Ctrl-D ending the session with exit 0, and the
     * history file. Each step waits for the output it expects.
     */
    @Test
    void onATerminal_aPromptLineEditingCompletionAndHistory() throws Exception {
        assertThat(Path.of("/usr/bin/script")).as("util-linux's script (Debian's essential bsdutils)").isExecutable();
        Path history = logs.resolve("history");
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/script", "--quiet", "--return", "--flush", "--command",
                "stty cols 120 rows 40; exec " + CLIENT + " --addr " + server.addr(), "/dev/null").redirectErrorStream(true);
        builder.environment().put("TERM", "xterm");
        builder.environment().put("KVS_HISTFILE", history.toString());
        builder.environment().remove("KVS_PASSWORD");
        Process p = builder.start();
        StringBuffer screen = new StringBuffer();
        Thread reader = Thread.ofPlatform().name("pty-reader").start(() -> copy(p.getInputStream(), screen));
        String prompt = "kvs " + server.addr() + "> ";
        try (OutputStream keys = p.getOutputStream()) {
            awaitPrompts(screen, prompt, 1);
            type(keys, "set greeting \"hello world\"\n");
            awaitPrompts(screen, prompt, 2);
            type(keys, "get greeting\n");
            awaitPrompts(screen, prompt, 3);
            assertThat(screen.toString()).contains("hello world\r\n");
            type(keys, "pi\t\n");
            awaitPrompts(screen, prompt, 4);
            assertThat(screen.toString()).as("pi, completed to ping").contains("PONG\r\n");
            type(keys, "oops\u0003");
            awaitPrompts(screen, prompt, 5);
            type(keys, "frob\n");
            awaitPrompts(screen, prompt, 6);
            assertThat(screen.toString()).contains("unknown command 'frob'").doesNotContain("unknown command 'oops'");
            type(keys, "\u0004");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended by Ctrl-D; screen:%n%s", screen).isTrue();
            assertThat(p.exitValue()).as("exit; screen:%n%s", screen).isZero();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(Files.readAllLines(history)).as("the history, one line per command").hasSize(4)
                .anyMatch(l -> l.endsWith("set greeting \"hello world\"")).anyMatch(l -> l.endsWith("ping"))
                .noneMatch(l -> l.contains("oops"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history))).isEqualTo("rw-------");
    }

    private static void type(OutputStream keys, String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Waits until the screen shows {@code prompt} {@code count} times (a minute at most). */
    private static void awaitPrompts(StringBuffer screen, String prompt, int count) {
        Pattern p = Pattern.compile(Pattern.quote(prompt));
        try {
            await("prompt " + count).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> p.matcher(screen).results().count() >= count);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no prompt " + count + " within a minute; the screen:\n" + screen, e);
        }
    }

    private static void copy(InputStream in, StringBuffer screen) {
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            screen.append("\n[reading the terminal: ").append(e).append(']');
        }
    }
}
