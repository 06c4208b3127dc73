package kvs.protocol.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Response;

/**
 * A connection's replies, encoded straight into one buffer and sent with one write when the
 * connection has answered everything it holds. A reply above the maximum frame is replaced by
 * {@code too_large}. The buffer grows for large replies and shrinks back once they are sent.
 */
final class FrameOutput {

    private final OutputStream socket;
    private final int initialSize;
    private final int maxFrame;
    private byte[] buf;
    private int size;
    /** The buffer as an OutputStream for the encoder; flushing it sends nothing. */
    private final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }
    };

    /** Encodes the replies of a batch with one generator, ended as they are sent. */
    private final Codec.ResponseWriter writer = new Codec.ResponseWriter(sink);

    FrameOutput(OutputStream socket, int initialSize, int maxFrame) {
        this.socket = socket;
        this.initialSize = initialSize;
        this.maxFrame = maxFrame;
        this.buf = new byte[0]; // allocated by the first reply: a connection that never asks costs nothing here
    }

    /** Appends the frame of {@code response}, or of {@code too_large} if its body is above the maximum frame. */
    void write(Response response) throws IOException {
        int start = size;
        ensure(Frames.HEADER);
        size += Frames.HEADER;
        try {
            writer.write(response);
        } catch (IllegalArgumentException e) {
            size = start; // nothing of it is sent
            throw e;
        }
        int length = size - start - Frames.HEADER;
        if (length > maxFrame) {
            size = start;
            write(new Response.Error(ErrorCode.TOO_LARGE, "the response of " + length
                    + " bytes is above the maximum frame of " + maxFrame + " bytes"));
            return;
        }
        Frames.putLength(buf, start, length);
    }

    /** Sends every reply appended so far with one write. */
    void send() throws IOException {
        writer.close(); // its buffers go back to the pool before a write that may block
        if (size == 0) {
            return;
        }
        socket.write(buf, 0, size);
        size = 0;
        if (buf.length > 8 * initialSize) {
            buf = new byte[initialSize]; // a large reply went out: do not keep its room while idle
        }
    }

    private void ensure(int n) {
        if (buf.length - size < n) {
            buf = Arrays.copyOf(buf, Math.max(Math.max(size + n, initialSize), buf.length * 2));
        }
    }
}
