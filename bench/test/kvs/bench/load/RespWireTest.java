package kvs.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RespWireTest {

    private final RespWire wire = new RespWire("x".repeat(16));

    @Test
    void writesSetAndGetAsRedisCommands() {
        ByteBuffer out = ByteBuffer.allocate(2 * wire.maxRequestBytes());
        wire.writeSet(out, 42);
        wire.writeGet(out, 7);
        assertThat(new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII)).isEqualTo(
                "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n"
                        + "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n");
        assertThat(out.position()).isLessThanOrEqualTo(2 * wire.maxRequestBytes());
    }

    /** Replies split at every byte boundary are read the same as whole ones. */
    @Test
    void readsRepliesWhateverPiecesTheyArriveIn() throws IOException {
        byte[] replies = "+OK\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n$-1\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= replies.length; split++) {
            ByteBuffer in = ByteBuffer.allocateDirect(replies.length);
            List<Wire.Reply> read = new ArrayList<>();
            in.put(replies, 0, split).flip();
            drain(in, read);
            in.compact().put(replies, split, replies.length - split).flip();
            drain(in, read);
            assertThat(read).as("split at %d", split).containsExactly(Wire.Reply.OK, Wire.Reply.HIT, Wire.Reply.MISS);
            assertThat(in.hasRemaining()).isFalse();
        }
    }

    private void drain(ByteBuffer in, List<Wire.Reply> read) throws IOException {
        for (Wire.Reply r; (r = wire.read(in)) != null; ) {
            read.add(r);
        }
    }

    @Test
    void rejectsErrorsWrongValuesAndGarbage() {
        assertThatThrownBy(() -> wire.read(buffer("-ERR unknown command\r\n")))
                .isInstanceOf(IOException.class).hasMessageContaining("ERR unknown command");
        assertThatThrownBy(() -> wire.read(buffer("$16\r\nxxxxxxxxxxxxxxxy\r\n")))
                .hasMessageContaining("not the one set");
        assertThatThrownBy(() -> wire.read(buffer("$3\r\nabc\r\n"))).hasMessageContaining("not the one set");
        assertThatThrownBy(() -> wire.read(buffer("$999999999\r\nab"))).as("not waited for")
                .hasMessageContaining("not the one set");
        assertThatThrownBy(() -> wire.read(buffer(":1\r\n"))).hasMessageContaining("not a RESP reply");
        assertThatThrownBy(() -> wire.read(buffer("$1x\r\n"))).hasMessageContaining("bad bulk length $1x");
        assertThatThrownBy(() -> wire.read(buffer("$\r\n"))).hasMessageContaining("bad bulk length");
        assertThatThrownBy(() -> wire.read(buffer("+QUEUED\r\n"))).hasMessageContaining("unexpected status reply +QUEUED");
        assertThatThrownBy(() -> wire.read(buffer("+" + "O".repeat(100)))).hasMessageContaining("longer than");
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
