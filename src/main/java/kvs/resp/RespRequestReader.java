package kvs.resp;

import java.util.Arrays;
import java.util.List;

/**
 * Reads RESP requests from a buffer the way Redis 7.2 does ({@code processMultibulkBuffer} and
 * {@code processInlineBuffer}): a request starting with {@code *} is a multibulk array of
 * {@code $}-prefixed bulk strings; anything else is an inline command, one line split on
 * blanks with Redis's quoting rules. Errors carry Redis's texts. Nothing is allocated from a
 * declared length: a request's arguments are copied out only once all of it is buffered.
 */
public final class RespRequestReader {

    /** Redis's {@code PROTO_INLINE_MAX_SIZE}: a line with no newline within this is an error. */
    public static final int INLINE_MAX = 64 << 10;
    /** The largest multibulk count accepted (docs/RESP.md). */
    public static final int MAX_ARGS = 1024 * 1024;
    /** Before authentication, as in Redis: at most this many arguments... */
    static final int UNAUTHENTICATED_MAX_ARGS = 10;
    /** ...and bulk strings of at most this many bytes. */
    static final int UNAUTHENTICATED_MAX_BULK = 16 << 10;

    private final long maxBulk;
    private long needed;
    /** Whether the client has yet to authenticate, which limits its requests. */
    private boolean unauthenticated;

    /** @param maxBulk the largest bulk string accepted (the server's maximum frame) */
    public RespRequestReader(long maxBulk) {
        this.maxBulk = maxBulk;
    }

    /** Whether the requests read next come from a client that has yet to authenticate, and are limited. */
    public void unauthenticated(boolean limited) {
        this.unauthenticated = limited;
    }

    /**
     * Reads the next request of {@code buf[off, off + len)} into {@code args} (cleared first).
     *
     * @return the bytes the request took, with {@code args} empty for an empty request (a blank
     *         line, {@code *0}); 0 if the request is not all buffered yet (see {@link #needed()})
     * @throws RespProtocolException if the bytes break the protocol
     */
    public int read(byte[] buf, int off, int len, List<byte[]> args) throws RespProtocolException {
        args.clear();
        needed = 0;
        if (len == 0) {
            return 0;
        }
        return buf[off] == '*' ? multibulk(buf, off, len, args) : inline(buf, off, len, args);
    }

    /**
     * After {@link #read} returned 0: how many bytes from the start of the request are known to be
     * needed (at least one more than buffered; more once a bulk length has been read).
     */
    public long needed() {
        return needed;
    }

    private int multibulk(byte[] buf, int off, int len, List<byte[]> args) throws RespProtocolException {
        int end = off + len;
        int cr = indexOf(buf, off, end, (byte) '\r');
        if (cr < 0) {
            return noLineEnd(len, "too big mbulk count string", len);
        }
        if (cr > end - 2) { // Redis waits for the byte after the '\r' (and does not check it is '\n')
            return needMore(len + 1L);
        }
        long count = parseLong(buf, off + 1, cr);
        if (count == Long.MIN_VALUE || count > MAX_ARGS) {
            throw new RespProtocolException("invalid multibulk length");
        }
        if (unauthenticated && count > UNAUTHENTICATED_MAX_ARGS) {
            throw new RespProtocolException("unauthenticated multibulk length");
        }
        int pos = cr + 2;
        if (count <= 0) {
            return pos - off;
        }
        // First pass: every bulk whole? Nothing is allocated before it is.
        int[] starts = new int[(int) Math.min(count, 1024)];
        int[] lengths = new int[starts.length];
        for (int i = 0; i < count; i++) {
            cr = indexOf(buf, pos, end, (byte) '\r');
            if (cr < 0) {
                return noLineEnd(end - pos, "too big bulk count string", len);
            }
            if (cr > end - 2) {
                return needMore(len + 1L);
            }
            if (buf[pos] != '$') {
                throw new RespProtocolException("expected '$', got '" + printable(buf[pos]) + "'");
            }
            long bulk = parseLong(buf, pos + 1, cr);
            if (bulk == Long.MIN_VALUE || bulk < 0 || bulk > maxBulk) {
                throw new RespProtocolException("invalid bulk length");
            }
            if (unauthenticated && bulk > UNAUTHENTICATED_MAX_BULK) {
                throw new RespProtocolException("unauthenticated bulk length");
            }
            pos = cr + 2;
            if ((long) end - pos < bulk + 2) {
                return needMore((long) pos - off + bulk + 2);
            }
            if (i == starts.length) {
                starts = Arrays.copyOf(starts, (int) Math.min(count, starts.length * 2L));
                lengths = Arrays.copyOf(lengths, starts.length);
            }
            starts[i] = pos;
            lengths[i] = (int) bulk;
            pos += (int) bulk + 2; // like Redis, the two bytes after a bulk are not checked
        }
        for (int i = 0; i < count; i++) {
            args.add(Arrays.copyOfRange(buf, starts[i], starts[i] + lengths[i]));
        }
        return pos - off;
    }

    /** A line not ended yet: the error {@code tooBig} once its {@code pending} bytes pass {@link #INLINE_MAX}, else wait. */
    private int noLineEnd(int pending, String tooBig, int len) throws RespProtocolException {
        if (pending > INLINE_MAX) {
            throw new RespProtocolException(tooBig);
        }
        return needMore(len + 1L);
    }

    /** The request is not all buffered: it needs at least {@code bytes} from its start. */
    private int needMore(long bytes) {
        needed = bytes;
        return 0;
    }

    private int inline(byte[] buf, int off, int len, List<byte[]> args) throws RespProtocolException {
        int end = off + len;
        int nl = indexOf(buf, off, end, (byte) '\n');
        if (nl < 0) {
            return noLineEnd(len, "too big inline request", len);
        }
        int lineEnd = nl > off && buf[nl - 1] == '\r' ? nl - 1 : nl;
        if (!InlineArgs.split(buf, off, lineEnd, args)) {
            args.clear();
            throw new RespProtocolException("unbalanced quotes in request");
        }
        return nl + 1 - off;
    }

    private static int indexOf(byte[] buf, int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Redis's {@code string2ll}: an optional '-', then digits without a leading zero; MIN_VALUE if not. */
    static long parseLong(byte[] buf, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && buf[i] == '-') {
            negative = true;
            i++;
        }
        if (i == to) {
            return Long.MIN_VALUE;
        }
        if (buf[i] == '0') {
            return i + 1 == to && !negative ? 0 : Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /** A byte as Redis prints it in an error line: newlines become spaces. */
    private static char printable(byte b) {
        return b == '\r' || b == '\n' ? ' ' : (char) (b & 0xFF);
    }
}
