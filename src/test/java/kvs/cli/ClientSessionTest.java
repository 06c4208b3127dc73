package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kvs.KvsException;
import kvs.client.HostPort;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.server.KvsServer;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kvs-client's interactive mode with lines piped in (README.md, "Interactive mode"), in this JVM
 * against a real server on loopback port 0, its output captured.
 */
class ClientSessionTest {

    @TempDir
    Path dir;

    /** The server; a test may stop it and start another on its address, which it then closes. */
    private Store engine;
    private KvsServer server;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        serve(new InetSocketAddress("127.0.0.1", 0));
    }

    private void serve(InetSocketAddress address) throws Exception {
        engine = KvStore.open(dir);
        server = KvsServer.start(engine, new VirtualThreadPool(2), address);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            engine.close();
            server = null;
        }
    }

    private String addr() {
        return HostPort.show(server.address());
    }

    /** Runs kvs-client with {@code args} and --addr of the server, {@code lines} its standard input. */
    private Result client(String lines, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr");
        all.add(addr());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(new ClientMain(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null), all.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void lines_runAsTheOneShotCommands_onOneConnection() {
        Result r = client("set a 1\nget a\nset \"two words\" \"x y\"\nmget a absent \"two words\"\nttl a\nping\n"
                + "set ключ 'значение ✓'\nget ключ\nstats\n", "-i");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("1\n1\nKey not found\nx y\nNo deadline\nPONG\nзначение ✓\n");
        assertThat(r.out().lines()).as("one connection for the session").contains("connections_total: 1");
    }

    @Test
    void withoutACommand_aSessionReadsStandardInput_asWithDashI() {
        assertThat(client("set k v\nget k\n")).isEqualTo(new Result(0, "v\n", ""));
        assertThat(client("", "--interactive")).isEqualTo(new Result(0, "", ""));
    }

    @Test
    void aFailedLine_printsItsError_theSessionGoesOn_andExitsWithTheHighestCode() {
        Result r = client("rm absent\nget k\nexpire absent 30s\nset k v\nget k\n", "-i");
        assertThat(r).isEqualTo(new Result(1, "Key not found\nv\n", "Key not found\nKey not found\n"));

        Result usage = client("frob x\nget\nget k --addr 127.0.0.1:1\nset k \"open\nexpire k soon\nset k -\nget k\n");
        assertThat(usage.exit()).as("a usage error is 2").isEqualTo(2);
        assertThat(usage.out()).isEqualTo("v\n");
        assertThat(usage.err()).isEqualTo("""
                unknown command 'frob' (help lists the commands)
                Missing required parameter: 'KEY'
                Usage: get KEY [--raw]
                Unknown options: '--addr', '127.0.0.1:1'
                Usage: get KEY [--raw]
                the " at column 7 is never closed
                Invalid value for positional parameter at index 1 (TTL): bad time to live 'soon': expected a whole \
                number and a unit, ms, s, m or h, as 30s (a bare number is seconds)
                Usage: expire KEY TTL
                set: VALUE '-' reads standard input, which a session's lines come from: give the value on the line
                """);
    }

    @Test
    void eachLine_startsFromTheCommandsDefaults() {
        assertThat(client("set e v --ttl 1h\nset f v\nttl f\nget --raw f\nget f\n", "-i"))
                .as("no --ttl, no --raw left over from an earlier line").isEqualTo(new Result(0, "No deadline\nvv\n", ""));
    }

    @Test
    void quitOrExit_endTheSession_inAnyCase() {
        assertThat(client("ping\nquit\nping\n")).isEqualTo(new Result(0, "PONG\n", ""));
        assertThat(client("rm absent\nEXIT\nping\n")).isEqualTo(new Result(1, "", "Key not found\n"));
    }

    @Test
    void help_listsTheCommands_andDescribesOne() {
        Result r = client("help\nhelp GET\n");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).contains("  set KEY VALUE [--ttl TTL]", "  get KEY [--raw]", "  mget KEY...", "  ping",
                "  help [COMMAND]", "  quit | exit (or Ctrl-D)", "Usage: kvs-client get [-hV] [--raw] KEY");
        assertThat(r.out()).doesNotContain("--addr", "--password-file");
        assertThat(client("help frob\n")).isEqualTo(new Result(2, "", "help: no command 'frob' (help lists the commands)\n"));
    }

    @Test
    void dashI_withACommand_isAUsageError() {
        assertThat(client("", "-i", "get", "k").exit()).isEqualTo(2);
    }

    /** A session whose server goes away says so, and its next command connects again (as redis-cli). */
    @Test
    void aLostConnection_isReported_andTheNextCommandConnectsAgain() throws Exception {
        InetSocketAddress address = server.address();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Iterator<String> script = List.of("set a 1", "RESTART", "get a", "get a", "quit").iterator();
        ClientSession.Lines lines = () -> {
            String line = script.next();
            if (line.equals("RESTART")) {
                try {
                    stop();
                    serve(address);
                } catch (Exception e) {
                    throw new IOException("restarting the server", e);
                }
                line = "";
            }
            return line;
        };
        int exit;
        try (ClientSession session = new ClientSession(new ClientMode.Target(List.of(address), KvsClient.Options.defaults()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))) {
            exit = session.run(lines);
        }
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("1\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("get: " + HostPort.show(address) + ": ")
                .endsWith("\n(the connection failed: the next command connects again)\n").hasLineCount(2);
    }

    @Test
    void aServerThatCannotBeReached_failsEachCommand_andTheSessionGoesOn() throws Exception {
        InetSocketAddress address = server.address();
        stop();
        Result r = clientOf(address, "ping\nping\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(2).allMatch(l -> l.startsWith("ping: cannot connect to " + HostPort.show(address)));
    }

    private static Result clientOf(InetSocketAddress address, String lines) throws KvsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ClientSession.piped(new ClientMode.Target(List.of(address), KvsClient.Options.defaults()),
                new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theHistoryFile_isKvsHistfile_orNoneIfEmptyOrDevNull_elseInTheHomeDirectory() {
        assertThat(TerminalLines.historyFile(Map.of(), "/home/ada")).hasValue(Path.of("/home/ada/.kvs_history"));
        assertThat(TerminalLines.historyFile(Map.of("KVS_HISTFILE", "/tmp/h"), "/home/ada")).hasValue(Path.of("/tmp/h"));
        assertThat(TerminalLines.historyFile(Map.of("KVS_HISTFILE", "~/kvs/h"), "/home/ada")).hasValue(Path.of("/home/ada/kvs/h"));
        assertThat(TerminalLines.historyFile(Map.of("KVS_HISTFILE", ""), "/home/ada")).isEqualTo(Optional.empty());
        assertThat(TerminalLines.historyFile(Map.of("KVS_HISTFILE", "/dev/null"), "/home/ada")).isEmpty();
    }
}
