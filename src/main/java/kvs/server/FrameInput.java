package kvs.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import kvs.protocol.Frames;

/**
 * A connection's read buffer, read by one thread, that hands out whole frames in place: a frame
 * that fits the buffer is decoded from it without a copy, and one socket read brings in every
 * frame a pipelining client has sent. Larger frames are read into an array of their own
 * ({@link #readLarge}). Not an InputStream: only frames are read.
 */
final class FrameInput {

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int count;
    /** System.nanoTime() of the last read that brought bytes. */
    private long lastFill;

    FrameInput(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    byte[] array() {
        return buf;
    }

    /** Bytes read from the socket and not yet taken. */
    int buffered() {
        return count - pos;
    }

    /** When the last read that brought bytes returned: the arrival of any frame begun in them. */
    long lastFill() {
        return lastFill;
    }

    /** The length the next frame declares, or -1 if its 4-byte prefix is not all buffered. */
    long declaredLength() {
        if (count - pos < Frames.HEADER) {
            return -1;
        }
        return (buf[pos] & 0xFFL) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
    }

    /** Whether a frame of {@code length} fits the buffer whole, so it can be read in place. */
    boolean fits(int length) {
        return Frames.HEADER + length <= buf.length;
    }

    /** Whether the next frame, of {@code length}, is all buffered. */
    boolean hasWhole(int length) {
        return count - pos >= Frames.HEADER + length;
    }

    /** Where the body of the next frame starts in {@link #array()}. */
    int bodyOffset() {
        return pos + Frames.HEADER;
    }

    /** Takes the next frame, whole in the buffer, of {@code length}. */
    void skip(int length) {
        pos += Frames.HEADER + length;
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

    /**
     * Reads the next frame, whose length is above what the buffer holds, into an array of its own.
     *
     * @throws EOFException if the stream ends inside it
     */
    byte[] readLarge(int length) throws IOException {
        pos += Frames.HEADER;
        byte[] body = new byte[length];
        int have = Math.min(length, count - pos);
        System.arraycopy(buf, pos, body, 0, have);
        pos += have;
        while (have < length) {
            int n = in.read(body, have, length - have);
            if (n < 0) {
                throw new EOFException("the stream ended " + have + " bytes into a frame of " + length);
            }
            have += n;
        }
        return body;
    }
}
