package kvs.server;

import java.io.IOException;
import java.io.InputStream;

/**
 * A connection's read buffer, read by one thread, from which its protocol takes whole requests
 * in place: one socket read brings in every request a pipelining client has sent. A request
 * larger than the buffer makes it grow to hold that request ({@link #growTo}); it shrinks back
 * once what it holds fits the usual size again. Not an InputStream: requests are taken in place.
 */
final class Input {

    private final InputStream in;
    private final int size;
    private byte[] buf;
    private int pos;
    private int count;
    /** System.nanoTime() of the last read that brought bytes. */
    private long lastFill;

    Input(InputStream in, int size) {
        this.in = in;
        this.size = size;
        this.buf = new byte[size];
    }

    byte[] array() {
        return buf;
    }

    /** Where the bytes not yet taken start in {@link #array()}. */
    int position() {
        return pos;
    }

    /** Bytes read from the socket and not yet taken. */
    int buffered() {
        return count - pos;
    }

    /** How many bytes a request may have and still be read into the buffer as it is. */
    int capacity() {
        return buf.length;
    }

    /** When the last read that brought bytes returned: the arrival of any request begun in them. */
    long lastFill() {
        return lastFill;
    }

    /** Takes {@code n} bytes. */
    void skip(int n) {
        pos += n;
    }

    /** Makes room for a request of {@code length} bytes from the current position. */
    void growTo(int length) {
        if (length > buf.length) {
            byte[] bigger = new byte[length];
            System.arraycopy(buf, pos, bigger, 0, count - pos);
            buf = bigger;
            count -= pos;
            pos = 0;
        }
    }

    /** Goes back to the usual size if it has grown and what it holds fits; returns whether it is that size. */
    boolean shrink() {
        if (buf.length == size) {
            return true;
        }
        if (count - pos > size) {
            return false;
        }
        byte[] usual = new byte[size];
        System.arraycopy(buf, pos, usual, 0, count - pos);
        buf = usual;
        count -= pos;
        pos = 0;
        return true;
    }

    /**
     * Reads what the socket has (blocking until something comes), after what is buffered; moves
     * the buffered bytes to the start first when the buffer has no room after them.
     *
     * @return false at the end of the stream
     */
    boolean fill() throws IOException {
        if (pos == count) {
            pos = 0;
            count = 0;
        } else if (count == buf.length) {
            System.arraycopy(buf, pos, buf, 0, count - pos);
            count -= pos;
            pos = 0;
        }
        if (count == buf.length) {
            throw new IllegalStateException("no room to read: grow the buffer for the request first");
        }
        int n;
        do {
            n = in.read(buf, count, buf.length - count);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        count += n;
        lastFill = System.nanoTime();
        return true;
    }
}
