package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import kvs.check.Dirs;
import kvs.engine.KvStore;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The dispatcher over a real KvStore: whatever the request body, it answers with a valid
 * response, never throws, and never reports an internal error. Regression mode in every build
 * (inputs in src/test/resources/kvs/server/DispatcherFuzzTestInputs/); to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw test -Dtest=DispatcherFuzzTest -Djazzer.max_duration=5m
 * </pre>
 */
class DispatcherFuzzTest {

    private static Path dir;
    private static KvStore store;
    private static Dispatcher dispatcher;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("kvs-dispatcher-fuzz-");
        store = KvStore.open(dir);
        dispatcher = new Dispatcher(store, Frames.DEFAULT_MAX_FRAME);
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
        Dirs.deleteTree(dir);
    }

    @FuzzTest
    void handle(byte[] body) throws Exception {
        Response r = Codec.decodeResponse(dispatcher.handle(body));
        if (r instanceof Response.Error e) {
            assertThat(e.code()).as(e.message()).isNotEqualTo(ErrorCode.INTERNAL.wireName());
        }
    }
}
