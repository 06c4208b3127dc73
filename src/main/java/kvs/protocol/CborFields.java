package kvs.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Reads the top-level fields of a frame body that must be exactly one well-formed CBOR item,
 * with Jackson's streaming parser. Well-formedness is checked first and in full (a cut item,
 * trailing bytes, a misplaced break, invalid UTF-8 in any text, nesting deeper than
 * {@value Cbor#MAX_DEPTH}: {@link ErrorCode#MALFORMED}); only then is the shape judged (not a map,
 * a non-text or duplicate key: {@link ErrorCode#BAD_REQUEST}).
 *
 * <p>Each wanted field's value lands in its slot as a String, a byte[], a Long, a Boolean,
 * {@link #NULL} or {@link #OTHER}; other fields are read (so their text is checked) and ignored.
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

    private final byte[] buf;
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

    private CborFields(byte[] buf, String[] names, Object[] slots, int mapSlot, int listSlot) {
        this.buf = buf;
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
        CborFields fields = new CborFields(buf, names, slots, mapSlot, listSlot);
        try (JsonParser p = Cbor.FACTORY.createParser(buf, off, len)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                fields.map(p);
            } else {
                fields.shape(what + " must be a CBOR map");
                consume(p, first);
            }
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
        if (fields.shapeError != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, fields.shapeError);
        }
    }

    /** The top-level map, whose start the parser is on. */
    private void map(JsonParser p) throws IOException {
        for (JsonToken t; (t = p.nextToken()) == JsonToken.FIELD_NAME; ) {
            // Jackson reads an integer or byte string key as text: the key's first byte tells.
            int keyStart = (int) p.currentTokenLocation().getByteOffset();
            boolean textKey = (buf[keyStart] & 0xFF) >>> 5 == MAJOR_TEXT;
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

    /** The value whose first token is {@code t}, read to its end. */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> p.getText();
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
