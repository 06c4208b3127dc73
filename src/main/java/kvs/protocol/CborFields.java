package kvs.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import kvs.store.Bytes;

/**
 * Reads the top-level fields of a frame body that must be exactly one well-formed CBOR item,
 * with Jackson's streaming parser. Well-formedness is checked first and in full (a cut item,
 * trailing bytes, a misplaced break, invalid UTF-8 in any text, nesting deeper than
 * {@value Cbor#MAX_DEPTH}: {@link ErrorCode#MALFORMED}); only then is the shape judged (not a map,
 * a non-text or duplicate key: {@link ErrorCode#BAD_REQUEST}).
 *
 * <p>Each wanted field's value lands in its slot as {@link Text}, a byte[], a Long, a Boolean,
 * {@link #NULL} or {@link #OTHER}; other fields are read (so their text is checked) and ignored.
 * A text value is taken as the UTF-8 bytes it is in the frame, checked, rather than decoded to a
 * String and encoded back (a key or value is bytes to the store); Jackson skips it.
 * One field may be a map ({@code mapSlot}) and one an array ({@code listSlot}) of at most
 * {@value #MAX_ITEMS} items. Nothing is allocated from a declared length or count: Jackson reads
 * a length against the bytes there are, and byte strings it is not asked for are skipped, not copied.
 */
final class CborFields {

    /** A field value that is neither text, a boolean, null, a byte string nor an integer below 2^63 (an array, a map...). */
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

    /** The most items an array field may hold: the keys of one mget ({@link Request.GetAll#MAX_KEYS}), or their values. */
    static final int MAX_ITEMS = Request.GetAll.MAX_KEYS;

    private static final int MAJOR_TEXT = 3;

    /** A text value: its UTF-8 bytes, checked. */
    record Text(byte[] utf8) {
        String string() {
            return new String(utf8, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return string();
        }
    }

    private final byte[] buf;
    /** Where the item ends in {@link #buf}. */
    private final int end;
    private final String[] names;
    private final Object[] slots;
    /** The slot whose value may be a map of text to text or integers (read into a Map); -1 for none. */
    private final int mapSlot;
    /** The slot whose value may be an array (read into a List); -1 for none. */
    private final int listSlot;
    /** The first shape problem seen; reported only if the whole item is well-formed. */
    private String shapeError;
    /** Names of the fields not asked for, to find their duplicates; made when the first comes. */
    private Set<String> others;

    private CborFields(byte[] buf, int off, int len, String[] names, Object[] slots, int mapSlot, int listSlot) {
        this.buf = buf;
        this.end = off + len;
        this.names = names;
        this.slots = slots;
        this.mapSlot = mapSlot;
        this.listSlot = listSlot;
    }

    /**
     * Reads {@code len} bytes of {@code buf} from {@code off}, a map holding {@code what}; the
     * value of the field {@code names[i]} goes to {@code slots[i]}, and stays null when absent.
     * The value of field {@code names[mapSlot]} may be a map of text keys to text or integer
     * values, which lands in its slot as a {@code Map<String, Object>} of Strings and Longs, in
     * the order sent; that of {@code names[listSlot]} may be an array, which lands in its slot as
     * a {@code List<Object>} of its items as single values (a nested array or map: {@link #OTHER}).
     * Either slot may be -1, for none.
     */
    static void read(byte[] buf, int off, int len, String what, String[] names, Object[] slots, int mapSlot,
                     int listSlot) throws ProtocolException {
        if (len == 0) {
            throw malformed("the frame body is empty", null);
        }
        CborFields fields = new CborFields(buf, off, len, names, slots, mapSlot, listSlot);
        try (JsonParser p = Cbor.FACTORY.createParser(buf, off, len)) {
            fields.item(p, what);
            if (p.nextToken() != null) {
                throw malformed("bytes follow the CBOR item", null);
            }
        } catch (StreamConstraintsException e) {
            throw malformed("items nested deeper than " + Cbor.MAX_DEPTH, e);
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw malformed(message(e), e);
        }
        ProtocolException shape = fields.shapeFailure();
        if (shape != null) {
            throw shape;
        }
    }

    /** What one frame of a run read to: its fields in {@code slots}, or why it is refused ({@code failure}, slots null). */
    interface Each {
        void frame(int i, Object[] slots, ProtocolException failure);
    }

    /**
     * Reads the bodies of {@code count} whole frames that follow one another in {@code buf} from
     * {@code off} (each a {@link Frames#HEADER}-byte length, then its body) as {@link #read} reads
     * each, with one parser for the run rather than one per frame: each frame's header is made an
     * item the parser steps over (its first byte becomes {@link #SEPARATOR}). A frame whose item
     * does not end exactly where its body does (cut short, bytes after it), or that the run's
     * parser cannot read, is read alone by {@link #read}, whose answer is the frame's, and the run
     * goes on from the next frame with a new parser.
     */
    static void readRun(byte[] buf, int off, int count, String what, String[] names, int mapSlot, int listSlot,
                        Each each) {
        int[] at = new int[count];
        int[] lengths = new int[count];
        int p = off;
        for (int i = 0; i < count; i++) {
            lengths[i] = (int) Frames.length(buf, p);
            buf[p] = SEPARATOR;
            at[i] = p + Frames.HEADER;
            p = at[i] + lengths[i];
        }
        Run run = new Run(buf, at, lengths, p, what, names, mapSlot, listSlot, each);
        for (int i = 0; i < count; ) {
            i = run.readFrom(i);
        }
    }

    /** A frame header's first byte in a run: with the three after it, a byte string of three bytes. */
    private static final byte SEPARATOR = 0x43;

    private record Run(byte[] buf, int[] at, int[] lengths, int end, String what, String[] names, int mapSlot,
                       int listSlot, Each each) {

        /** Reads frames from the {@code first}th with one parser, until one it cannot; returns the next frame to read. */
        int readFrom(int first) {
            int i = first;
            try (JsonParser p = Cbor.FACTORY.createParser(buf, at[first], end - at[first])) {
                for (; i < at.length && lengths[i] > 0; i++) {
                    if (i > first && p.nextToken() != JsonToken.VALUE_EMBEDDED_OBJECT) { // the frame's header
                        break;
                    }
                    Object[] slots = new Object[names.length];
                    CborFields fields = new CborFields(buf, at[i], lengths[i], names, slots, mapSlot, listSlot);
                    fields.item(p, what);
                    if (p.currentLocation().getByteOffset() != at[i] + lengths[i]) {
                        break;
                    }
                    ProtocolException shape = fields.shapeFailure();
                    each.frame(i, shape == null ? slots : null, shape);
                }
            } catch (IOException e) {
                // the frame is read alone below, which says why it does not decode
            }
            if (i == at.length) {
                return i;
            }
            Object[] slots = new Object[names.length];
            try {
                read(buf, at[i], lengths[i], what, names, slots, mapSlot, listSlot);
                each.frame(i, slots, null);
            } catch (ProtocolException e) {
                each.frame(i, null, e);
            }
            return i + 1;
        }
    }

    /** Reads the item the parser is before: a map, or anything else (a shape error), to its end. */
    private void item(JsonParser p, String what) throws IOException {
        JsonToken first = p.nextToken();
        if (first == JsonToken.START_OBJECT) {
            map(p);
        } else {
            shape(what + " must be a CBOR map");
            consume(p, first);
        }
    }

    /** The first shape problem seen, as the error to answer with; null if none. */
    private ProtocolException shapeFailure() {
        return shapeError == null ? null : new ProtocolException(ErrorCode.BAD_REQUEST, shapeError);
    }

    /** The top-level map, whose start the parser is on. */
    private void map(JsonParser p) throws IOException {
        for (JsonToken t; (t = p.nextToken()) == JsonToken.FIELD_NAME; ) {
            // Jackson reads an integer or byte string key as text: the key's first byte tells.
            boolean textKey = (buf[tokenStart(p)] & 0xFF) >>> 5 == MAJOR_TEXT;
            String name = p.currentName();
            JsonToken first = p.nextToken();
            Object value;
            if (mapSlot >= 0 && first == JsonToken.START_OBJECT && names[mapSlot].equals(name)) {
                value = flatMap(p, name);
            } else if (listSlot >= 0 && first == JsonToken.START_ARRAY && names[listSlot].equals(name)) {
                value = list(p, name);
            } else {
                value = value(p, first);
            }
            if (!textKey) {
                shape("map keys must be text");
                continue;
            }
            int slot = slot(name);
            if (slot >= 0 ? slots[slot] != null : !otherName(name)) {
                shape("duplicate key '" + name + "'");
            } else if (slot >= 0) {
                slots[slot] = value;
            }
        }
    }

    private int slot(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Notes a field not asked for; false if it came before. */
    private boolean otherName(String name) {
        if (others == null) {
            others = new HashSet<>();
        }
        return others.add(name);
    }

    /** A map of text to text or integers, whose start the parser is on; any other entry is a shape error. */
    private Map<String, Object> flatMap(JsonParser p, String field) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_STRING) {
                map.put(name, p.getText());
            } else if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                map.put(name, p.getLongValue());
            } else {
                consume(p, v);
                shape("'" + field + "' entry '" + name + "' must be text or a whole number");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw malformed("the CBOR item is cut short", null);
        }
        return map;
    }

    /**
     * An array, whose start the parser is on, as a list of its items' values; past
     * {@value #MAX_ITEMS} items the rest are read (so their text is checked) but not kept, and
     * that is a shape error.
     */
    private List<Object> list(JsonParser p, String field) throws IOException {
        List<Object> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw malformed("the CBOR item is cut short", null);
            }
            if (items.size() < MAX_ITEMS) {
                items.add(value(p, t));
            } else {
                consume(p, t);
                shape("'" + field + "' holds more than " + MAX_ITEMS + " items");
            }
        }
        return items;
    }

    /** The value whose first token is {@code t}, read to its end (a text: left for Jackson to skip). */
    private Object value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> text(p);
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            case VALUE_EMBEDDED_OBJECT -> p.getEmbeddedObject() instanceof byte[] b ? b : OTHER; // a byte string
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? OTHER : (Object) p.getLongValue();
            default -> {
                consume(p, t);
                yield OTHER;
            }
        };
    }

    /**
     * The text value the parser is on, as its bytes in the frame, checked to be UTF-8; Jackson
     * skips them (and still records them as CBOR string references' targets). One that is not a
     * plain definite-length string (chunked, tagged: a string reference), or is cut short, goes
     * through Jackson, which reads it or reports why not.
     */
    private Text text(JsonParser p) throws IOException {
        int at = tokenStart(p);
        int head = buf[at] & 0xFF;
        int info = head & 0x1F;
        int lengthBytes = info < 24 ? 0 : info <= 27 ? 1 << (info - 24) : -1;
        if (head >>> 5 != MAJOR_TEXT || lengthBytes < 0 || end - at - 1 < lengthBytes) {
            return decodedText(p);
        }
        long length = info < 24 ? info : 0;
        for (int i = 1; i <= lengthBytes; i++) {
            length = length << 8 | (buf[at + i] & 0xFF);
        }
        int start = at + 1 + lengthBytes;
        if (length < 0 || length > end - start) {
            return decodedText(p);
        }
        if (!Bytes.isUtf8(buf, start, (int) length)) {
            throw malformed("not well-formed CBOR: invalid UTF-8 in a text string", null);
        }
        return new Text(Arrays.copyOfRange(buf, start, start + (int) length));
    }

    /** The text value the parser is on, decoded by Jackson (which refuses invalid UTF-8). */
    private static Text decodedText(JsonParser p) throws IOException {
        return new Text(p.getText().getBytes(StandardCharsets.UTF_8));
    }

    /** Where the current token starts in the frame (Jackson counts from the start of the array). */
    private static int tokenStart(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /**
     * Reads the rest of the value whose first token is {@code t}, decoding every text in it so
     * that invalid UTF-8 anywhere is found (skipping would not check it).
     */
    private static void consume(JsonParser p, JsonToken t) throws IOException {
        int depth = 0;
        while (true) {
            if (t == null) {
                throw malformed("the CBOR item is cut short", null);
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING -> p.getText();
                default -> {
                }
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        }
    }

    private void shape(String problem) {
        if (shapeError == null) {
            shapeError = problem;
        }
    }

    /** Jackson's message without the location and source lines it appends. */
    private static String message(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return "not well-formed CBOR: " + (nl < 0 ? m : m.substring(0, nl));
    }

    private static ProtocolException malformed(String message, Throwable cause) {
        return new ProtocolException(ErrorCode.MALFORMED, message, cause);
    }
}
