package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

class ConnectionInputTest {

    /** A stream that hands out at most {@code chunk} bytes per read, as a socket may. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @Test
    void readsEveryByteInOrder_whateverTheReadSizes() throws IOException {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        ConnectionInput in = new ConnectionInput(trickle(data, 7), 16);
        assertThat(in.hasBuffered()).isFalse();
        assertThat(in.read()).isEqualTo(0);
        assertThat(in.hasBuffered()).as("the rest of the first socket read").isTrue();
        byte[] some = in.readNBytes(5);
        assertThat(some).containsExactly(1, 2, 3, 4, 5);
        byte[] rest = in.readNBytes(994); // large reads bypass the 16-byte buffer
        for (int i = 0; i < rest.length; i++) {
            assertThat(rest[i]).isEqualTo((byte) (i + 6));
        }
        assertThat(in.hasBuffered()).isFalse();
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
    }

    @Test
    void availableCountsTheBufferAndTheStream() throws IOException {
        ConnectionInput in = new ConnectionInput(trickle(new byte[10], 4), 8);
        assertThat(in.read()).isZero();
        assertThat(in.available()).isEqualTo(3 + 6);
    }
}
