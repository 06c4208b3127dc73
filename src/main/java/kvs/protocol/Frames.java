package kvs.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Frames: a 4-byte big-endian length, then that many bytes holding one CBOR item. */
public final class Frames {

    /** The default maximum frame body, inclusive: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME = 16 << 20;
    /** Bytes in a frame's length prefix. */
    public static final int HEADER = 4;

    private Frames() {
    }

    /**
     * Checks a declared frame length before anything is allocated for it.
     *
     * @throws ProtocolException {@code too_large} if it is above {@code max}
     */
    public static int checkLength(long length, int max) throws ProtocolException {
        if (length > max) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    "a frame of " + length + " bytes is above the maximum of " + max);
        }
        return (int) length;
    }

    /**
     * Reads one frame body from {@code in}.
     *
     * @return the body, or null if the stream ended cleanly before a new frame
     * @throws ProtocolException {@code too_large} if the declared length is above {@code max};
     *                           nothing of the body has been read or allocated then
     * @throws EOFException      if the stream ends inside a frame
     */
    public static byte[] read(InputStream in, int max) throws IOException {
        int first = in.read();
        return first < 0 ? null : readBody(in, readLength(first, in, max));
    }

    /** Reads the rest of a frame's length, whose first byte is {@code first}, and checks it. */
    private static int readLength(int first, InputStream in, int max) throws IOException {
        byte[] header = new byte[HEADER];
        header[0] = (byte) first;
        if (in.readNBytes(header, 1, HEADER - 1) < HEADER - 1) {
            throw new EOFException("the stream ended inside a frame's length");
        }
        return checkLength(length(header, 0), max);
    }

    /** Reads a frame body of {@code n} checked bytes; memory grows with the bytes that arrive, not with {@code n}. */
    private static byte[] readBody(InputStream in, int n) throws IOException {
        byte[] body = in.readNBytes(n);
        if (body.length < n) {
            throw new EOFException("the stream ended " + body.length + " bytes into a frame of " + n);
        }
        return body;
    }

    /** {@code body} as one frame: its length, then it. */
    public static byte[] frame(byte[] body) {
        int n = body.length;
        byte[] frame = new byte[HEADER + n];
        putLength(frame, 0, n);
        System.arraycopy(body, 0, frame, HEADER, n);
        return frame;
    }

    /** Writes {@code body} as one frame (not flushed). */
    public static void write(OutputStream out, byte[] body) throws IOException {
        byte[] header = new byte[HEADER];
        putLength(header, 0, body.length);
        out.write(header);
        out.write(body);
    }

    /** The length a frame's header at {@code buf[off]} declares (unchecked: up to 2^32 - 1). */
    public static long length(byte[] buf, int off) {
        return (buf[off] & 0xFFL) << 24 | (buf[off + 1] & 0xFF) << 16 | (buf[off + 2] & 0xFF) << 8 | (buf[off + 3] & 0xFF);
    }

    /** Writes the header of a frame of {@code n} bytes at {@code buf[off]}. */
    public static void putLength(byte[] buf, int off, int n) {
        buf[off] = (byte) (n >>> 24);
        buf[off + 1] = (byte) (n >>> 16);
        buf[off + 2] = (byte) (n >>> 8);
        buf[off + 3] = (byte) n;
    }
}
