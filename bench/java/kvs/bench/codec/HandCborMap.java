package kvs.bench.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;

/**
 * Reads a frame body that must be exactly one well-formed CBOR item (RFC 8949), and of it the
 * top-level map's text, boolean and null fields. Well-formedness is checked first and in full
 * (a cut item, trailing bytes, reserved encodings, a misplaced break, invalid UTF-8 in any text,
 * nesting deeper than {@value #MAX_DEPTH}: {@link ErrorCode#MALFORMED}); only then is the shape
 * judged (not a map, a duplicate or non-text key: {@link ErrorCode#BAD_REQUEST}).
 *
 * <p>Definite and indefinite lengths are both accepted. Nothing is allocated from a declared
 * length or count: a length is checked against the bytes left before it is used, and counts
 * are walked item by item, each at least a byte long.
 */
final class HandCborMap {

    /** Deep enough for any future request; shallow enough that no input can exhaust a stack. */
    static final int MAX_DEPTH = 16;

    /** A field value that is neither text, a boolean nor null (a number, an array, a map...). */
    static final Object OTHER = new Object() {
        @Override
        public String toString() {
            return "a value that is not text";
        }
    };
    /** A CBOR null field value. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    /** Returned by {@link #item} for a break (0xff), legal only to end an indefinite-length item. */
    private static final Object BREAK = new Object();

    private static final int INDEFINITE = 31;

    private final byte[] b;
    private int pos;
    /** The first shape problem seen; reported only if the whole item is well-formed. */
    private String shapeError;

    private HandCborMap(byte[] body) {
        this.b = body;
    }

    /** The top-level fields of {@code body}, in order: values are String, Boolean, {@link #NULL} or {@link #OTHER}. */
    static Map<String, Object> read(byte[] body, String what) throws ProtocolException {
        HandCborMap r = new HandCborMap(body);
        if (body.length == 0) {
            throw malformed("the frame body is empty");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        if ((body[0] & 0xFF) >>> 5 == 5) {
            r.map(fields);
        } else {
            r.expectItem(r.item(0));
            r.shape(what + " must be a CBOR map");
        }
        if (r.pos != body.length) {
            throw malformed((body.length - r.pos) + " bytes follow the CBOR item");
        }
        if (r.shapeError != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, r.shapeError);
        }
        return fields;
    }

    /** The top-level map, whose head is at {@link #pos}. */
    private void map(Map<String, Object> fields) throws ProtocolException {
        int ai = b[pos++] & 0x1F;
        long pairs = ai == INDEFINITE ? -1 : count(ai, 2);
        for (long i = 0; pairs < 0 || i < pairs; i++) {
            Object key = item(1);
            if (key == BREAK) {
                if (pairs < 0) {
                    return;
                }
                throw malformed("a break inside a definite-length map");
            }
            Object value = expectItem(item(1));
            if (!(key instanceof String name)) {
                shape("map keys must be text");
            } else if (fields.putIfAbsent(name, value) != null) {
                shape("duplicate key '" + name + "'");
            }
        }
    }

    /** Reads one item at nesting {@code depth}: a String, Boolean, NULL, OTHER or BREAK. */
    private Object item(int depth) throws ProtocolException {
        if (depth > MAX_DEPTH) {
            throw malformed("items nested deeper than " + MAX_DEPTH);
        }
        int initial = next();
        int major = initial >>> 5;
        int ai = initial & 0x1F;
        if (ai == INDEFINITE) {
            return indefinite(major, depth);
        }
        switch (major) {
            case 0, 1 -> argument(ai); // integers
            case 2 -> take(argument(ai)); // byte string
            case 3 -> {
                return text(take(argument(ai)));
            }
            case 4 -> {
                for (long n = count(ai, 1), i = 0; i < n; i++) {
                    expectItem(item(depth + 1));
                }
            }
            case 5 -> {
                for (long n = count(ai, 2), i = 0; i < n; i++) {
                    expectItem(item(depth + 1));
                    expectItem(item(depth + 1));
                }
            }
            case 6 -> {
                argument(ai); // a tag number, then the tagged item
                expectItem(item(depth + 1));
            }
            default -> {
                return simple(ai);
            }
        }
        return OTHER;
    }

    private Object indefinite(int major, int depth) throws ProtocolException {
        switch (major) {
            case 2, 3 -> { // chunks: definite-length strings of the same major type
                StringBuilder text = major == 3 ? new StringBuilder() : null;
                while (true) {
                    int initial = next();
                    if (initial == 0xFF) {
                        return text == null ? OTHER : text.toString();
                    }
                    if (initial >>> 5 != major || (initial & 0x1F) == INDEFINITE) {
                        throw malformed("a chunk of an indefinite-length string is not a definite string of its type");
                    }
                    int start = take(argument(initial & 0x1F));
                    if (text != null) {
                        text.append(text(start));
                    }
                }
            }
            case 4, 5 -> {
                for (long i = 0; ; i++) {
                    Object o = item(depth + 1);
                    if (o == BREAK) {
                        if (major == 5 && i % 2 == 1) {
                            throw malformed("an indefinite-length map ends after a key");
                        }
                        return OTHER;
                    }
                }
            }
            case 7 -> {
                return BREAK;
            }
            default -> throw malformed("major type " + major + " cannot have an indefinite length");
        }
    }

    private Object simple(int ai) throws ProtocolException {
        return switch (ai) {
            case 20 -> Boolean.FALSE;
            case 21 -> Boolean.TRUE;
            case 22 -> NULL;
            case 24 -> {
                if (next() < 32) {
                    throw malformed("a one-byte simple value below 32");
                }
                yield OTHER;
            }
            case 25, 26, 27 -> {
                take(1L << (ai - 24)); // a float of 2, 4 or 8 bytes
                yield OTHER;
            }
            case 28, 29, 30 -> throw malformed("reserved additional information " + ai);
            default -> OTHER; // simple values 0-19 and undefined
        };
    }

    /** The argument of a head whose additional information is {@code ai} (not 31). */
    private long argument(int ai) throws ProtocolException {
        if (ai < 24) {
            return ai;
        }
        if (ai > 27) {
            throw malformed("reserved additional information " + ai);
        }
        int bytes = 1 << (ai - 24);
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | next();
        }
        return v; // an 8-byte argument above Long.MAX_VALUE is negative, and fails take()'s check
    }

    /**
     * The number of entries an array or map head declares, each at least {@code minBytes} long,
     * checked against the bytes left (an 8-byte count above Long.MAX_VALUE is negative, and fails).
     */
    private long count(int ai, int minBytes) throws ProtocolException {
        long n = argument(ai);
        if (n < 0 || n > (b.length - pos) / minBytes) {
            throw malformed("an item declares " + Long.toUnsignedString(n) + " entries; " + (b.length - pos)
                    + " bytes are left");
        }
        return n;
    }

    /** Skips {@code n} bytes, checked against what is left; returns where they start. */
    private int take(long n) throws ProtocolException {
        if (n < 0 || n > b.length - pos) {
            throw malformed("an item declares " + Long.toUnsignedString(n) + " bytes; " + (b.length - pos) + " are left");
        }
        int start = pos;
        pos += (int) n;
        return start;
    }

    /** The UTF-8 text from {@code start} to {@link #pos}, decoded strictly. */
    private String text(int start) throws ProtocolException {
        int end = pos;
        boolean ascii = true;
        for (int i = start; i < end && ascii; i++) {
            ascii = b[i] >= 0;
        }
        if (ascii) {
            return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, start, end - start))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed("a text string is not valid UTF-8 (at byte " + start + ")");
        }
    }

    private Object expectItem(Object o) throws ProtocolException {
        if (o == BREAK) {
            throw malformed("a break where an item belongs");
        }
        return o;
    }

    private int next() throws ProtocolException {
        if (pos == b.length) {
            throw malformed("the CBOR item is cut short");
        }
        return b[pos++] & 0xFF;
    }

    private void shape(String problem) {
        if (shapeError == null) {
            shapeError = problem;
        }
    }

    private static ProtocolException malformed(String message) {
        return new ProtocolException(ErrorCode.MALFORMED, message);
    }
}
