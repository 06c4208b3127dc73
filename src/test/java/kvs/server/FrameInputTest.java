package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import kvs.protocol.Frames;
import org.junit.jupiter.api.Test;

class FrameInputTest {

    /** A stream that hands out at most {@code chunk} bytes per read, as a socket may. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] frames(int... sizes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < sizes.length; i++) {
            byte[] body = new byte[sizes[i]];
            java.util.Arrays.fill(body, (byte) i);
            Frames.write(out, body);
        }
        return out.toByteArray();
    }

    /** Reads every frame as a connection does: whole ones in place, larger ones on their own. */
    private static List<byte[]> readAll(FrameInput in) throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        while (true) {
            long declared = in.declaredLength();
            if (declared >= 0 && in.fits((int) declared) && in.hasWhole((int) declared)) {
                int n = (int) declared;
                bodies.add(java.util.Arrays.copyOfRange(in.array(), in.bodyOffset(), in.bodyOffset() + n));
                in.skip(n);
            } else if (declared >= 0 && !in.fits((int) declared)) {
                bodies.add(in.readLarge((int) declared));
            } else if (!in.fill()) {
                assertThat(in.buffered()).as("bytes left at the end").isZero();
                return bodies;
            }
        }
    }

    @Test
    void everyFrame_arrivesWhole_whateverTheReadSizes() throws IOException {
        int[] sizes = {0, 1, 5, 12, 11, 40, 3, 100, 27};
        byte[] data = frames(sizes);
        for (int chunk = 1; chunk <= data.length; chunk++) {
            List<byte[]> bodies = readAll(new FrameInput(trickle(data, chunk), 32));
            assertThat(bodies).as("reads of %d bytes", chunk).hasSize(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                byte[] expected = new byte[sizes[i]];
                java.util.Arrays.fill(expected, (byte) i);
                assertThat(bodies.get(i)).as("frame %d, reads of %d", i, chunk).isEqualTo(expected);
            }
        }
    }

    @Test
    void oneRead_bringsEveryPipelinedFrame() throws IOException {
        FrameInput in = new FrameInput(new ByteArrayInputStream(frames(10, 10, 10)), 64);
        assertThat(in.fill()).isTrue();
        assertThat(in.buffered()).isEqualTo(42);
        for (int i = 0; i < 3; i++) {
            assertThat(in.hasWhole((int) in.declaredLength())).isTrue();
            in.skip(10);
        }
        assertThat(in.declaredLength()).isEqualTo(-1);
    }

    @Test
    void theEndInsideALargeFrame_isAnEndOfStream() throws IOException {
        byte[] data = frames(100);
        FrameInput in = new FrameInput(new ByteArrayInputStream(data, 0, 50), 16);
        assertThat(in.fill()).isTrue();
        assertThat(in.fits((int) in.declaredLength())).isFalse();
        assertThatThrownBy(() -> in.readLarge(100)).isInstanceOf(EOFException.class);
    }
}
