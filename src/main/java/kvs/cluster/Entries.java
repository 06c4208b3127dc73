package kvs.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * The bytes of a Raft log entry and of its reply: a run of writes as kvs-protocol requests
 * ({@code set}, {@code rm}) or read-modify-writes ({@code txn}, below), each in a frame of its
 * own, and the reply as one response frame per write, in order. The same codec as the wire, so
 * an entry reads as what a client sent.
 */
final class Entries {

    private static final String TXN = "txn";
    /** The answer to a read-modify-write whose reads no longer held when it was applied: it wrote nothing. */
    static final String CONFLICT = "conflict";
    /** For the frames of read-modify-writes, which are entries' own (a client never sends one). */
    private static final CBORFactory CBOR = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    /** The largest entry: Ratis refuses to replicate an entry above its appender's buffer (set to fit it). */
    static final int MAX_ENTRY_BYTES = 2 * Frames.DEFAULT_MAX_FRAME;

    private Entries() {
    }

    /**
     * The entry of {@code writes}: sets, removes, and read-modify-writes as the leader ran them
     * (a {@link Conditional}, in a frame of its own: {@code {"op": "txn", "reads": [key, value|null, ...],
     * "keys": [key, ...], "writes": [key, value|null, ...]}}, {@code keys} only if it listed them).
     */
    static byte[] ofWrites(List<Write> writes) {
        List<byte[]> bodies = new ArrayList<>(writes.size());
        for (Write w : writes) {
            if (w.transaction() instanceof Conditional c) {
                bodies.add(encode(c));
            } else if (w.transaction() != null) {
                throw new IllegalArgumentException("only a transaction the leader ran goes in a log entry: " + w.transaction());
            } else {
                bodies.add(Codec.encode(w.isRemove() ? new Request.Remove(w.key(), w.id()) : new Request.Set(w.key(), w.value(), w.id())));
            }
        }
        return frames(bodies);
    }

    /** The writes of an entry; a read-modify-write is a transaction of a {@link Conditional}. */
    static List<Write> writes(byte[] entry) throws ProtocolException {
        List<Write> out = new ArrayList<>();
        for (byte[] body : bodies(entry)) {
            Conditional c = decodeConditional(body);
            if (c != null) {
                out.add(Write.transaction(c));
                continue;
            }
            out.add(switch (Codec.decodeRequest(body)) {
                case Request.Set s -> Write.set(s.key(), s.value(), s.id());
                case Request.Remove r -> Write.remove(r.key(), r.id());
                case Request other -> throw new ProtocolException(ErrorCode.MALFORMED, "not a write in a log entry: " + other);
            });
        }
        return out;
    }

    private static byte[] encode(Conditional c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = CBOR.createGenerator(out)) {
            g.writeStartObject(null, c.keys() == null ? 3 : 4);
            g.writeStringField("op", TXN);
            g.writeFieldName("reads");
            g.writeStartArray(null, 2 * c.reads().size());
            for (Map.Entry<String, String> r : c.reads().entrySet()) {
                g.writeString(r.getKey());
                writeNullable(g, r.getValue());
            }
            g.writeEndArray();
            if (c.keys() != null) {
                g.writeFieldName("keys");
                g.writeStartArray(null, c.keys().size());
                for (String k : c.keys()) {
                    g.writeString(k);
                }
                g.writeEndArray();
            }
            g.writeFieldName("writes");
            g.writeStartArray(null, 2 * c.writes().size());
            for (Write w : c.writes()) {
                g.writeString(w.key());
                writeNullable(g, w.value());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    private static void writeNullable(JsonGenerator g, String text) throws IOException {
        if (text == null) {
            g.writeNull();
        } else {
            g.writeString(text);
        }
    }

    /** The read-modify-write in {@code body}, or null when the body is a plain request. */
    private static Conditional decodeConditional(byte[] body) throws ProtocolException {
        try (JsonParser p = CBOR.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"op".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_STRING
                    || !TXN.equals(p.getText())) {
                return null;
            }
            Map<String, String> reads = new LinkedHashMap<>();
            Set<String> keys = null;
            List<Write> writes = new ArrayList<>();
            for (String field; (field = p.nextFieldName()) != null; ) {
                expect(p.nextToken() == JsonToken.START_ARRAY, "'" + field + "' is not an array");
                switch (field) {
                    case "reads" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            String key = p.getText();
                            p.nextToken();
                            reads.put(key, nullableText(p));
                        }
                    }
                    case "keys" -> {
                        keys = new HashSet<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            keys.add(p.getText());
                        }
                    }
                    case "writes" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            String key = p.getText();
                            p.nextToken();
                            String value = nullableText(p);
                            writes.add(value == null ? Write.remove(key) : Write.set(key, value));
                        }
                    }
                    default -> throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry has '" + field + "'");
                }
            }
            return new Conditional(reads, keys, writes);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry did not decode: " + e.getMessage());
        }
    }

    private static String nullableText(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
    }

    private static void expect(boolean condition, String what) throws ProtocolException {
        if (!condition) {
            throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry: " + what);
        }
    }

    /** The answer to a read-modify-write that met a conflict. */
    static Response conflict() {
        return new Response.Error(CONFLICT, "what the leader read had changed; run it again");
    }

    /** A reply of {@code responses}, one per write of the entry. */
    static byte[] ofResponses(List<Response> responses) {
        return frames(responses.stream().map(Codec::encode).toList());
    }

    /** The responses of a reply. */
    static List<Response> responses(byte[] reply) throws ProtocolException {
        List<Response> out = new ArrayList<>();
        for (byte[] body : bodies(reply)) {
            out.add(Codec.decodeResponse(body));
        }
        return out;
    }

    private static byte[] frames(List<byte[]> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (byte[] body : bodies) {
                Frames.write(out, body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    private static List<byte[]> bodies(byte[] bytes) throws ProtocolException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        List<byte[]> out = new ArrayList<>();
        try {
            for (byte[] body; (body = Frames.read(in, MAX_ENTRY_BYTES)) != null; ) {
                out.add(body);
            }
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "a cut frame in a log entry: " + e.getMessage());
        }
        return out;
    }
}
