package kvs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import kvs.command.Dispatcher;
import kvs.engine.KvStore;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Response;
import kvs.protocol.server.Batch;
import kvs.protocol.server.FrameOutput;
import kvs.security.Access;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch, the dispatcher over a real KvStore and the reply frame: whatever the request body, it
 * is answered with a valid response, nothing throws, and no internal error is reported.
 * Regression mode in every build (inputs in src/test/resources/kvs/protocol/server/DispatcherFuzzTestInputs/); to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw test -Dtest=DispatcherFuzzTest -Djazzer.max_duration=5m
 * </pre>
 */
class DispatcherFuzzTest {

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
    void handle(byte[] body) throws Exception {
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, store);
        batch.addFrames(Frames.frame(body), 0, 1);
        assertThat(dispatcher.execute(batch.ops, 0)).isEqualTo(1);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        FrameOutput out = new FrameOutput(sent, 64, Frames.DEFAULT_MAX_FRAME);
        out.write(batch.reply(0));
        out.send();
        byte[] frame = Frames.read(new ByteArrayInputStream(sent.toByteArray()), Frames.DEFAULT_MAX_FRAME);
        Response r = Codec.decodeResponse(frame);
        if (r instanceof Response.Error e) {
            assertThat(e.code()).as(e.message()).isNotEqualTo(ErrorCode.INTERNAL.wireName());
        }
    }
}
