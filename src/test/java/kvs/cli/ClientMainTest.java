package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kvs.client.HostPort;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.server.KvsProtocol;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kvs-client's commands in this JVM against a real server on loopback port 0, their output captured (README.md, "Quick start"). */
class ClientMainTest {

    @TempDir
    Path dir;

    private TestServer server;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(KvStore.open(dir), new VirtualThreadPool(2), List.of(KvsProtocol.INSTANCE),
                KvsServer.Options.defaults());
        server.engine().set(Bytes.utf8("a"), Bytes.utf8("1"));
        server.engine().set(Bytes.utf8("ключ"), Bytes.utf8("значение ✓"));
        server.engine().set(Bytes.utf8("empty"), Bytes.EMPTY);
        server.engine().set(Bytes.utf8("lines"), Bytes.utf8("two\nlines"));
        server.engine().set(Bytes.utf8("binary"), Bytes.wrap(new byte[] {(byte) 0xFF, 0}));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** Runs kvs-client with {@code args} and --addr of the server. */
    private Result client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr");
        all.add(HostPort.show(server.server().address()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(new ClientMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), all.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mget_printsALineForEachKey_inOrder_andKeyNotFoundAsGetDoes() {
        assertThat(client("mget", "a", "absent", "empty", "ключ", "a"))
                .isEqualTo(new Result(0, "1\nKey not found\n\nзначение ✓\n1\n", ""));
        assertThat(client("get", "absent")).as("as get").isEqualTo(new Result(0, "Key not found\n", ""));
    }

    @Test
    void mget_ofAValueThatIsNotOneLineOfText_printsNothing_andExitsOne() {
        assertThat(client("mget", "a", "lines")).isEqualTo(new Result(1, "",
                "mget: the value of 'lines' is not one line of UTF-8 text (9 bytes); read it with get\n"));
        assertThat(client("mget", "binary", "a")).isEqualTo(new Result(1, "",
                "mget: the value of 'binary' is not one line of UTF-8 text (2 bytes); read it with get\n"));
    }

    @Test
    void mget_withoutKeys_isAUsageError() {
        assertThat(client("mget").exit()).isEqualTo(2);
    }
}
