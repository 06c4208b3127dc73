package kvs.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A connection's read buffer, read by one thread. It tells whether requests are still buffered
 * without asking the kernel, as {@code available()} does with a system call on every request.
 * Not a BufferedInputStream subclass: a subclass locks with {@code synchronized}, and on JDK 21
 * a virtual thread blocked in a read while holding a monitor pins its carrier thread.
 */
final class ConnectionInput extends InputStream {

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int count;

    ConnectionInput(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    /** Whether bytes already read from the socket wait to be taken. */
    boolean hasBuffered() {
        return pos < count;
    }

    @Override
    public int read() throws IOException {
        if (pos == count && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == count) {
            if (len >= buf.length) {
                return in.read(b, off, len); // a large read skips the buffer
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, count - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return count - pos + in.available();
    }

    /** Reads what the socket has into the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        count = n;
        return true;
    }
}
