package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kvs.it.Programs;
import kvs.it.Programs.Result;
import kvs.it.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release as users get it (the dist profile builds it; README.md, "Install"): the archive
 * unpacked in an empty directory runs on a JDK 21+ and nothing else, the image with no JDK at all;
 * neither ever builds. Each runs a server, a client call, a RESP call and a load generator run.
 */
class DistIT {

    private static final Path ARCHIVE = Path.of(System.getProperty("kvs.dist.archive", "missing: run with -Pbench,dist"));
    private static final Path IMAGE = Path.of(System.getProperty("kvs.dist.image", "missing: run with -Pbench,dist"));

    /** The commands the launchers use; the image's tests run with a PATH of these alone. */
    private static final List<String> TOOLS = List.of("bash", "dirname", "ls", "locale", "readlink", "sed", "mkdir",
            "cksum", "cut");

    @TempDir
    Path dir;

    /** The archive runs on the JDK that JAVA_HOME names; its client keeps its start archive in the user's cache. */
    @Test
    void theArchive_runsOnAJdk_fromAnyDirectory() throws Exception {
        Path home = unpack(ARCHIVE);
        assertThat(home.resolve("runtime")).as("the archive brings no runtime").doesNotExist();
        Map<String, String> env = environment();
        env.put("PATH", "/usr/bin:/bin");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        serveAndCall(home, env);
        try (Stream<Path> cache = Files.list(dir.resolve("cache/kvs"))) {
            assertThat(cache.map(p -> p.getFileName().toString()))
                    .as("the client's Class Data Sharing archive, in the user's cache directory")
                    .anyMatch(name -> name.startsWith("kvs-client-") && name.endsWith(".jsa"));
        }
    }

    /** The image runs on its own runtime with no JDK on PATH or in JAVA_HOME, and uses its AOT caches. */
    @Test
    void theImage_runsWithNoJdk() throws Exception {
        Path home = unpack(IMAGE);
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        Map<String, String> env = environment();
        env.put("PATH", tools.toString());
        serveAndCall(home, env);
        if (Files.exists(home.resolve("lib/kvs-client.aot"))) {
            // AOTMode=on: the JVM refuses to start unless the image's cache fits it.
            env.put("KVS_JAVA_OPTS", "-XX:AOTMode=on");
            try (ServerProcess server = ServerProcess.startInstalled(home, env, dir.resolve("data-aot"), dir)) {
                assertThat(run(home, env, "kvs-client", "--addr", server.addr(), "ping"))
                        .isEqualTo(new Result(0, "PONG\n", ""));
            }
        }
    }

    /** Serves from {@code home}: a client's set and get, RESP's GET of the same key, kvs-bench's run; then stops. */
    private void serveAndCall(Path home, Map<String, String> env) throws Exception {
        try (ServerProcess server = ServerProcess.startInstalled(home, env, dir.resolve("data"), dir,
                "--resp-addr", "127.0.0.1:0", "--config", home.resolve("conf/kvs.conf").toString())) {
            assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(server.process.pid()), "exe")))
                    .as("the java it runs on")
                    .satisfies(java -> {
                        if (Files.exists(home.resolve("runtime"))) {
                            assertThat(java).startsWith(home.resolve("runtime").toRealPath());
                        } else {
                            assertThat(java).startsWith(Path.of(System.getProperty("java.home")).toRealPath());
                        }
                    });
            assertThat(run(home, env, "kvs-client", "--addr", server.addr(), "set", "shipped", "yes"))
                    .isEqualTo(new Result(0, "", ""));
            assertThat(run(home, env, "kvs-client", "--addr", server.addr(), "get", "shipped"))
                    .isEqualTo(new Result(0, "yes\n", ""));
            assertThat(resp(server.respPort(), "GET", "shipped")).isEqualTo("$3\r\nyes\r\n");
            Result bench = run(home, env, "kvs-bench", "--addr", server.addr(), "-n", "2000", "-c", "4", "--quiet");
            assertThat(bench.exit()).as("kvs-bench: %s", bench).isZero();
            assertThat(bench.out()).contains("2,000 requests in");
            server.process.destroy();
            assertThat(server.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process.exitValue()).as("exit after SIGTERM; log:%n%s", server.log()).isZero();
        }
        assertThat(home.resolve("target")).as("nothing was built").doesNotExist();
    }

    /** Unpacks a release in an empty directory; its one top directory. */
    private Path unpack(Path tarball) throws Exception {
        assertThat(tarball).as("the dist profile's output").isRegularFile();
        Path into = Files.createDirectories(dir.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", into.toString()).inheritIO().start();
        assertThat(tar.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        try (Stream<Path> top = Files.list(into)) {
            List<Path> dirs = top.toList();
            assertThat(dirs).hasSize(1);
            return dirs.get(0);
        }
    }

    /** A bare environment: a HOME and a cache directory of the test's own, no JDK. */
    private Map<String, String> environment() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        return env;
    }

    private static Path which(String tool) {
        for (String bin : List.of("/usr/bin", "/bin")) {
            Path p = Path.of(bin, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no " + tool + " in /usr/bin or /bin");
    }

    private Result run(Path home, Map<String, String> env, String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin").resolve(program).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        return Programs.run(builder, dir);
    }

    /** One RESP command; its reply, a status line or a bulk string, as text. */
    private static String resp(int port, String... command) throws IOException {
        StringBuilder request = new StringBuilder("*" + command.length + "\r\n");
        for (String part : command) {
            request.append('$').append(part.length()).append("\r\n").append(part).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String line = line(in);
            if (line.startsWith("$") && !line.equals("$-1\r\n")) {
                int length = Integer.parseInt(line.substring(1, line.length() - 2));
                return line + new String(in.readNBytes(length + 2), StandardCharsets.UTF_8);
            }
            return line;
        }
    }

    /** A line of the reply, with its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < 2 || line.charAt(line.length() - 1) != '\n') {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed after " + line);
            }
            line.append((char) b);
        }
        return line.toString();
    }
}
