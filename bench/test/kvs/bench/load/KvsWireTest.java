package kvs.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.junit.jupiter.api.Test;

class KvsWireTest {

    private final KvsWire wire = new KvsWire("x".repeat(16));

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static byte[] written(ByteBuffer out) {
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void requestsAreExactlyWhatTheCodecEncodes() {
        for (int key : new int[] {0, 7, 42, 99_999, 123_456_789}) {
            ByteBuffer out = ByteBuffer.allocate(wire.maxRequestBytes());
            wire.writeSet(out, key);
            assertThat(written(out)).isEqualTo(frame(Codec.encode(new Request.Set(Keys.name(key), "x".repeat(16)))));
            out = ByteBuffer.allocate(wire.maxRequestBytes());
            wire.writeGet(out, key);
            assertThat(written(out)).isEqualTo(frame(Codec.encode(new Request.Get(Keys.name(key)))));
        }
        assertThat(Keys.name(42)).isEqualTo("key:000000000042");
    }

    @Test
    void readsRepliesWhateverPiecesTheyArriveIn() throws IOException {
        ByteBuffer all = ByteBuffer.allocate(256);
        all.put(frame(Codec.encode(new Response.Ok())))
                .put(frame(Codec.encode(new Response.Value("x".repeat(16)))))
                .put(frame(Codec.encode(Response.Value.ABSENT)));
        byte[] replies = written(all);
        for (int split = 0; split <= replies.length; split++) {
            ByteBuffer in = ByteBuffer.allocateDirect(replies.length);
            List<Wire.Reply> read = new ArrayList<>();
            in.put(replies, 0, split).flip();
            for (Wire.Reply r; (r = wire.read(in)) != null; ) {
                read.add(r);
            }
            in.compact().put(replies, split, replies.length - split).flip();
            for (Wire.Reply r; (r = wire.read(in)) != null; ) {
                read.add(r);
            }
            assertThat(read).as("split at %d", split).containsExactly(Wire.Reply.OK, Wire.Reply.HIT, Wire.Reply.MISS);
        }
    }

    @Test
    void errorsAndWrongValuesStopTheRun() {
        assertThatThrownBy(() -> wire.read(ByteBuffer.wrap(frame(Codec.encode(
                new Response.Error(ErrorCode.BAD_REQUEST, "no such op")))))).isInstanceOf(IOException.class)
                .hasMessage("the server answered bad_request: no such op");
        assertThatThrownBy(() -> wire.read(ByteBuffer.wrap(frame(Codec.encode(new Response.Value("y"))))))
                .hasMessageContaining("not the one set");
        assertThatThrownBy(() -> wire.read(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, (byte) 0xff})))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> wire.read(ByteBuffer.wrap(new byte[] {0x10, 0, 0, 0, 1}))).as("not waited for")
                .isInstanceOf(IOException.class).hasMessageContaining("above the maximum");
    }
}
