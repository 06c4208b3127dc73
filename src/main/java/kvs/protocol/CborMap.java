package kvs.protocol;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/**
 * Reads a frame body that must be exactly one well-formed CBOR item, and of that item the
 * top-level map's text, boolean and null fields. Well-formedness is checked first and in full
 * (a truncated item, trailing bytes, invalid UTF-8 anywhere, nesting deeper than
 * {@value #MAX_DEPTH}: {@link ErrorCode#MALFORMED}); only then is the shape judged (not a map,
 * a duplicate key: {@link ErrorCode#BAD_REQUEST}). The parser streams: nothing is allocated
 * from a declared length or count, and no string is longer than the body.
 */
final class CborMap {

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

    private static final CBORFactory FACTORY = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE) // the frame maximum bounds strings
                    .maxNumberLength(Integer.MAX_VALUE) // numbers are skipped, never converted
                    .build())
            .build();

    private CborMap() {
    }

    /** The top-level fields of {@code body}, in order: values are String, Boolean, {@link #NULL} or {@link #OTHER}. */
    static Map<String, Object> read(byte[] body, String what) throws ProtocolException {
        Map<String, Object> fields = new LinkedHashMap<>();
        String shapeError = null;
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw malformed("the frame body is empty", null);
            }
            if (t != JsonToken.START_OBJECT) {
                skip(p, t);
                shapeError = what + " must be a CBOR map";
            } else {
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    Object value = value(p, p.nextToken());
                    if (fields.putIfAbsent(name, value) != null && shapeError == null) {
                        shapeError = "duplicate key '" + name + "' in " + what;
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw malformed("the CBOR map is cut short", null);
                }
            }
            if (p.nextToken() != null) {
                throw malformed("bytes follow the CBOR item", null);
            }
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Jackson's parse errors, and whatever else a hostile input provokes in it
            throw malformed("not well-formed CBOR: " + firstLine(e.getMessage()), e);
        }
        if (shapeError != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, shapeError);
        }
        return fields;
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw malformed("the CBOR map is cut short", null);
        }
        return switch (t) {
            case VALUE_STRING -> p.getText(); // decodes, so invalid UTF-8 is caught
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> {
                skip(p, t);
                yield OTHER;
            }
        };
    }

    /** Walks past the item that starts with {@code t}, decoding every text in it so none is left unchecked. */
    private static void skip(JsonParser p, JsonToken t) throws IOException {
        int depth = 0;
        while (true) {
            if (t == null) {
                throw malformed("the CBOR item is cut short", null);
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                p.getText();
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        }
    }

    private static ProtocolException malformed(String message, Throwable cause) {
        return new ProtocolException(ErrorCode.MALFORMED, message, cause);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable input";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
