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
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.store.Bytes;
import kvs.store.GroupView;
import kvs.store.Write;

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
     * (a transaction of a {@link Conditional}, in a frame of its own: {@code {"op": "txn",
     * "reads": [key, value|null, ...], "present": [key, bool, ...], "keys": [key, ...],
     * "writes": [key, value|null, ...]}}, {@code present} and {@code keys} only if it has them).
     * Keys and values go as CBOR text when they are UTF-8, as byte strings otherwise.
     */
    static byte[] ofWrites(List<? extends Write<?>> writes) {
        List<byte[]> bodies = new ArrayList<>(writes.size());
        for (Write<?> w : writes) {
            bodies.add(switch (w) {
                case Write.Set s -> Codec.encode(new Request.Set(s.key(), s.value(), s.id()));
                case Write.Remove r -> Codec.encode(new Request.Remove(r.key(), r.id()));
                case Write.Txn<?> t when t.transaction() instanceof Conditional c -> encode(c);
                case Write.Txn<?> t -> throw new IllegalArgumentException(
                        "only a transaction the leader ran goes in a log entry: " + t.transaction());
            });
        }
        return frames(bodies);
    }

    /** The writes of an entry; a read-modify-write is a transaction of a {@link Conditional}. */
    static List<Write<?>> writes(byte[] entry) throws ProtocolException {
        List<Write<?>> out = new ArrayList<>();
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
            g.writeStartObject(null, 3 + (c.keys() == null ? 0 : 1) + (c.presence().isEmpty() ? 0 : 1));
            g.writeStringField("op", TXN);
            g.writeFieldName("reads");
            g.writeStartArray(null, 2 * c.reads().size());
            for (Map.Entry<Bytes, Bytes> r : c.reads().entrySet()) {
                writeBytes(g, r.getKey());
                writeNullable(g, r.getValue());
            }
            g.writeEndArray();
            if (!c.presence().isEmpty()) {
                g.writeFieldName("present");
                g.writeStartArray(null, 2 * c.presence().size());
                for (Map.Entry<Bytes, Boolean> p : c.presence().entrySet()) {
                    writeBytes(g, p.getKey());
                    g.writeBoolean(p.getValue());
                }
                g.writeEndArray();
            }
            if (c.keys() != null) {
                g.writeFieldName("keys");
                g.writeStartArray(null, c.keys().size());
                for (Bytes k : c.keys()) {
                    writeBytes(g, k);
                }
                g.writeEndArray();
            }
            g.writeFieldName("writes");
            g.writeStartArray(null, 2 * c.writes().size());
            for (GroupView.Change w : c.writes()) {
                writeBytes(g, w.key());
                writeNullable(g, w.value());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    private static void writeNullable(JsonGenerator g, Bytes value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else {
            writeBytes(g, value);
        }
    }

    /** {@code b} as CBOR text if it is UTF-8, else as a byte string. */
    private static void writeBytes(JsonGenerator g, Bytes b) throws IOException {
        if (b.isUtf8()) {
            g.writeString(b.utf8());
        } else {
            g.writeBinary(b.toByteArray());
        }
    }

    /** The read-modify-write in {@code body}, or null when the body is a plain request. */
    private static Conditional decodeConditional(byte[] body) throws ProtocolException {
        try (JsonParser p = CBOR.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"op".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_STRING
                    || !TXN.equals(p.getText())) {
                return null;
            }
            Map<Bytes, Bytes> reads = new LinkedHashMap<>();
            Map<Bytes, Boolean> presence = new LinkedHashMap<>();
            Set<Bytes> keys = null;
            List<GroupView.Change> writes = new ArrayList<>();
            for (String field; (field = p.nextFieldName()) != null; ) {
                expect(p.nextToken() == JsonToken.START_ARRAY, "'" + field + "' is not an array");
                switch (field) {
                    case "reads" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            Bytes key = bytes(p);
                            p.nextToken();
                            reads.put(key, nullable(p));
                        }
                    }
                    case "present" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            Bytes key = bytes(p);
                            p.nextToken();
                            presence.put(key, p.getBooleanValue());
                        }
                    }
                    case "keys" -> {
                        keys = new HashSet<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            keys.add(bytes(p));
                        }
                    }
                    case "writes" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            Bytes key = bytes(p);
                            p.nextToken();
                            writes.add(new GroupView.Change(key, nullable(p)));
                        }
                    }
                    default -> throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry has '" + field + "'");
                }
            }
            return new Conditional(reads, presence, keys, writes);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry did not decode: " + e.getMessage());
        }
    }

    private static Bytes nullable(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : bytes(p);
    }

    /** The text (its UTF-8) or byte string the parser is on. */
    private static Bytes bytes(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT ? Bytes.wrap(p.getBinaryValue()) : Bytes.utf8(p.getText());
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
