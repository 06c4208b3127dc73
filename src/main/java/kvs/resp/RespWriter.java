package kvs.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import kvs.store.Bytes;

/**
 * A connection's RESP replies, encoded into one growable buffer in the protocol version the
 * client chose with {@code HELLO} (2 until then). RESP3's types fall back to what Redis sends a
 * RESP2 client: a map as a flat array, a double as a bulk string, a boolean as an integer,
 * every null as {@code $-1} (or {@code *-1} for a null array).
 */
public final class RespWriter {

    private static final byte[] CRLF = {'\r', '\n'};

    private final int initialSize;
    private byte[] buf;
    private int size;
    private int protocol = 2;

    public RespWriter(int initialSize) {
        this.initialSize = initialSize;
        this.buf = new byte[initialSize];
    }

    /** Sets the protocol version of the replies from now on: 2 or 3. */
    public void protocol(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("RESP version must be 2 or 3: " + version);
        }
        this.protocol = version;
    }

    public int protocol() {
        return protocol;
    }

    /** {@code +text}: a status reply; the text must not hold CR or LF. */
    public RespWriter simple(String text) {
        return line('+', text);
    }

    /**
     * {@code -text}: an error reply, e.g. {@code "ERR syntax error"}. Like Redis, CR and LF in the
     * text become spaces, so an argument echoed in an error cannot break the framing.
     */
    public RespWriter error(String text) {
        return error(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code -line}, the line's bytes as given (an argument quoted in it is echoed unchanged), CR and LF made spaces. */
    public RespWriter error(byte[] line) {
        ensure(line.length + 3);
        buf[size++] = '-';
        for (byte b : line) {
            buf[size++] = b == '\r' || b == '\n' ? (byte) ' ' : b;
        }
        return put(CRLF);
    }

    public RespWriter integer(long value) {
        return line(':', Long.toString(value));
    }

    public RespWriter bulk(byte[] value) {
        line('$', Integer.toString(value.length));
        put(value);
        return put(CRLF);
    }

    public RespWriter bulk(Bytes value) {
        line('$', Integer.toString(value.length()));
        ensure(value.length());
        value.copyTo(buf, size);
        size += value.length();
        return put(CRLF);
    }

    /** A value, or the null of a missing one. */
    public RespWriter bulkOrNull(Bytes value) {
        return value == null ? nullBulk() : bulk(value);
    }

    public RespWriter bulk(String value) {
        return bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The null of a missing value: {@code $-1} in RESP2, {@code _} in RESP3. */
    public RespWriter nullBulk() {
        return protocol == 3 ? line('_', "") : line('$', "-1");
    }

    /** The null of a missing array: {@code *-1} in RESP2, {@code _} in RESP3. */
    public RespWriter nullArray() {
        return protocol == 3 ? line('_', "") : line('*', "-1");
    }

    /** The header of an array of {@code n} replies, which follow. */
    public RespWriter array(int n) {
        return line('*', Integer.toString(n));
    }

    /** The header of a map of {@code n} key-value pairs, which follow key first: {@code %n}, or an array of 2n in RESP2. */
    public RespWriter map(int n) {
        return protocol == 3 ? line('%', Integer.toString(n)) : array(2 * n);
    }

    /** The header of a set of {@code n} replies: {@code ~n}, or an array in RESP2. */
    public RespWriter set(int n) {
        return protocol == 3 ? line('~', Integer.toString(n)) : array(n);
    }

    /** A double, already formatted as Redis formats it: {@code ,text}, or a bulk string in RESP2. */
    public RespWriter doubleValue(String text) {
        return protocol == 3 ? line(',', text) : bulk(text);
    }

    /** {@code #t}/{@code #f}, or {@code :1}/{@code :0} in RESP2. */
    public RespWriter bool(boolean value) {
        return protocol == 3 ? line('#', value ? "t" : "f") : integer(value ? 1 : 0);
    }

    /** Verbatim text ({@code =len\r\ntxt:...}), or a bulk string in RESP2. */
    public RespWriter verbatim(String text) {
        if (protocol == 2) {
            return bulk(text);
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        line('=', Integer.toString(body.length + 4));
        put(new byte[] {'t', 'x', 't', ':'});
        put(body);
        return put(CRLF);
    }

    /** The buffer; its first {@link #size()} bytes are the replies written since the last {@link #clear()}. */
    public byte[] array() {
        return buf;
    }

    public int size() {
        return size;
    }

    /** Takes back what was written after the first {@code size} bytes. */
    public void truncate(int size) {
        this.size = size;
    }

    /** Forgets the replies written; after large ones, gives back the room they took. */
    public void clear() {
        size = 0;
        if (buf.length > 8 * initialSize) {
            buf = new byte[initialSize];
        }
    }

    private RespWriter line(char type, String text) {
        ensure(text.length() * 3 + 3);
        buf[size++] = (byte) type;
        put(text.getBytes(StandardCharsets.UTF_8));
        return put(CRLF);
    }

    private RespWriter put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    private void ensure(int n) {
        if (buf.length - size < n) {
            buf = Arrays.copyOf(buf, Math.max(size + n, Math.max(16, buf.length * 2)));
        }
    }
}
