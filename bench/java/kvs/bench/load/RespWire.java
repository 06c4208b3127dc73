package kvs.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Redis's RESP, just SET and GET: enough to drive Redis with the same workload as kvs. */
final class RespWire implements Wire {

    private static final byte[] GET = "*2\r\n$3\r\nGET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SET = "*3\r\n$3\r\nSET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY = ("$" + Keys.LENGTH + "\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    /** The longest header line a reply of ours has: {@code $} and a length, or {@code +OK}. */
    private static final int MAX_LINE = 24;

    private final byte[] value;
    private final byte[] valueHeader;
    private final byte[] key = new byte[Keys.LENGTH];

    RespWire(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
        this.valueHeader = ("$" + this.value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int maxRequestBytes() {
        return SET.length + KEY.length + Keys.LENGTH + 2 + valueHeader.length + value.length + 2;
    }

    @Override
    public int maxReplyBytes() {
        return valueHeader.length + value.length + 2;
    }

    @Override
    public void writeGet(ByteBuffer out, int index) {
        out.put(GET);
        putKey(out, index);
    }

    @Override
    public void writeSet(ByteBuffer out, int index) {
        out.put(SET);
        putKey(out, index);
        out.put(valueHeader).put(value).put(CRLF);
    }

    private void putKey(ByteBuffer out, int index) {
        Keys.format(index, key);
        out.put(KEY).put(key).put(CRLF);
    }

    @Override
    public Reply read(ByteBuffer in) throws IOException {
        int start = in.position();
        int eol = lineEnd(in, start);
        if (eol < 0) {
            return null;
        }
        Reply reply = switch (in.get(start)) {
            case '+' -> status(in, start, eol);
            case '$' -> bulk(in, number(in, start + 1, eol), eol + 2);
            case '-' -> throw new IOException("redis answered an error: " + text(in, start + 1, eol));
            default -> throw new IOException("not a RESP reply to SET or GET: " + text(in, start, eol));
        };
        if (reply == null) {
            in.position(start);
        }
        return reply;
    }

    private static Reply status(ByteBuffer in, int start, int eol) throws IOException {
        if (eol - start != 3 || in.get(start + 1) != 'O' || in.get(start + 2) != 'K') {
            throw new IOException("unexpected status reply " + text(in, start, eol));
        }
        in.position(eol + 2);
        return Reply.OK;
    }

    /** A bulk reply whose header says {@code n} bytes follow from {@code at}. */
    private Reply bulk(ByteBuffer in, int n, int at) throws IOException {
        if (n == -1) {
            in.position(at);
            return Reply.MISS;
        }
        if (n == value.length && in.limit() - at < n + 2) {
            return null; // checked before waiting: a length of anything else never needs its bytes
        }
        if (n != value.length || !in.slice(at, n).equals(ByteBuffer.wrap(value))
                || in.get(at + n) != '\r' || in.get(at + n + 1) != '\n') {
            throw new IOException("a GET answered a value of " + n + " bytes that is not the one set ("
                    + value.length + " bytes)");
        }
        in.position(at + n + 2);
        return Reply.HIT;
    }

    /** The decimal number in {@code [from, to)}, or -1 for exactly "-1". */
    private static int number(ByteBuffer in, int from, int to) throws IOException {
        if (to - from == 2 && in.get(from) == '-' && in.get(from + 1) == '1') {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            int d = in.get(i) - '0';
            if (d < 0 || d > 9 || n > Integer.MAX_VALUE) {
                throw new IOException("bad bulk length " + text(in, from - 1, to));
            }
            n = n * 10 + d;
        }
        if (to == from || n > Integer.MAX_VALUE) {
            throw new IOException("bad bulk length " + text(in, from - 1, to));
        }
        return (int) n;
    }

    /** The index of the CR ending the line at {@code from}, or -1 if it has not all arrived. */
    private static int lineEnd(ByteBuffer in, int from) throws IOException {
        for (int i = from; i + 1 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                return i;
            }
            if (i - from > MAX_LINE) {
                break;
            }
        }
        if (in.limit() - from > MAX_LINE + 2) {
            throw new IOException("a RESP line longer than " + MAX_LINE + " bytes: not a reply to SET or GET");
        }
        return -1;
    }

    private static String text(ByteBuffer in, int from, int to) {
        byte[] b = new byte[to - from];
        in.get(from, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
