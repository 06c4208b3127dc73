package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import kvs.command.Dispatcher;
import kvs.engine.KvStore;
import kvs.expiry.ExpiryFigures;
import kvs.security.Access;
import kvs.session.Link;
import kvs.session.MemoryRoom;
import kvs.session.ServerStats;
import kvs.session.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RESP session over a real KvStore: whatever the bytes, they are taken, run and answered
 * without an exception, the replies are well-formed RESP, and none is an internal error.
 * Regression mode in every build (inputs in src/test/resources/kvs/resp/RespFuzzTestInputs/); to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw test -Dtest=RespFuzzTest -Djazzer.max_duration=5m
 * </pre>
 */
class RespFuzzTest {

    private static final int MAX_BULK = 1 << 16;
    @TempDir
    static Path dir;
    private static KvStore store;
    private static Dispatcher dispatcher;

    @BeforeAll
    static void open() throws Exception {
        store = KvStore.open(dir);
        dispatcher = new Dispatcher(store);
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
    }

    @FuzzTest
    void handle(byte[] input) throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 6379);
        Session session = RespProtocol.of(new RespProtocol.Settings("fuzz", Map.of("appendonly", "yes")))
                .open(new Link(sent, dispatcher, MAX_BULK, 1, here, here, new ServerStats(store, Access.defaults(), null, () -> ExpiryFigures.NONE), Access.defaults().guard(here), MemoryRoom.UNLIMITED));
        int off = 0;
        boolean open = true;
        while (open) {
            int taken = session.take(input, off, input.length - off);
            off += taken;
            if (!session.hasRequests()) {
                break; // the rest is a request not all there, or nothing
            }
            Session.Step step;
            while ((step = session.answer()) == Session.Step.MORE) {
                session.send();
            }
            session.send();
            open = step == Session.Step.DONE;
        }
        byte[] out = sent.toByteArray();
        int p = 0;
        while (p < out.length) {
            p = reply(out, p);
        }
    }

    /** Checks the reply at {@code p} is well-formed RESP and not an internal error; returns where the next starts. */
    private static int reply(byte[] b, int p) {
        byte type = b[p];
        int end = lineEnd(b, p);
        String line = new String(b, p + 1, end - p - 1, StandardCharsets.UTF_8);
        p = end + 2;
        switch (type) {
            case '+', ':', '_', ',', '#' -> {
            }
            case '-' -> assertThat(line).as("an error reply").matches(java.util.regex.Pattern.compile("(ERR|NOPROTO|WRONGPASS) .*", java.util.regex.Pattern.DOTALL))
                    .doesNotContain("null").doesNotContain("Exception");
            case '$', '=' -> {
                int n = Integer.parseInt(line);
                if (n >= 0) {
                    assertThat(b[p + n]).isEqualTo((byte) '\r');
                    p += n + 2;
                }
            }
            case '*', '%', '~' -> {
                int n = Integer.parseInt(line) * (type == '%' ? 2 : 1);
                for (int i = 0; i < n; i++) {
                    p = reply(b, p);
                }
            }
            default -> throw new AssertionError("not a RESP reply: " + (char) type);
        }
        return p;
    }

    private static int lineEnd(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("a reply line without CRLF");
    }
}
