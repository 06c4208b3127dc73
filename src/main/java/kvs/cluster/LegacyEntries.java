package kvs.cluster;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Write;

/**
 * Reads Raft log entries of format 1, written before the log had a format of its own
 * ({@link EntryCodec}): a run of writes as kvs-protocol requests ({@code set}, {@code rm}) or
 * read-modify-writes ({@code {"op": "txn", "reads": [key, value|null, ...], "present": [key, bool, ...],
 * "keys": [key, ...], "writes": [key, value|null, ...]}}), each in a frame of its own. A member
 * upgraded from that release replays them from its log; nothing writes them any more.
 */
final class LegacyEntries {

    private static final String TXN = "txn";
    /** For the frames of read-modify-writes, which are entries' own (a client never sends one). */
    private static final CBORFactory CBOR = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    /** The largest entry format 1 allowed. */
    private static final int MAX_ENTRY_BYTES = 2 * Frames.DEFAULT_MAX_FRAME;

    private LegacyEntries() {
    }

    /** The writes of an entry; a read-modify-write is a transaction of a {@link Conditional}. */
    static List<Write<?>> writes(byte[] entry) throws EntryCodec.MalformedEntry {
        try {
            List<Write<?>> out = new ArrayList<>();
            for (byte[] body : bodies(entry)) {
                Conditional c = decodeConditional(body);
                if (c != null) {
                    out.add(c.write());
                    continue;
                }
                out.add(switch (Codec.decodeRequest(body)) {
                    case Request.Set s -> Write.set(s.key(), s.value(), s.id());
                    case Request.Remove r -> Write.remove(r.key(), r.id());
                    case Request other -> throw new ProtocolException(ErrorCode.MALFORMED, "not a write in a log entry: " + other);
                });
            }
            return out;
        } catch (ProtocolException e) {
            throw new EntryCodec.MalformedEntry("a log entry of format 1 does not decode: " + e.getMessage());
        }
    }

    /** The read-modify-write in {@code body}, or null when the body is a plain request. */
    private static Conditional decodeConditional(byte[] body) throws ProtocolException {
        try (JsonParser p = CBOR.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"op".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_STRING
                    || !TXN.equals(p.getText())) {
                return null;
            }
            Map<Bytes, Entry> reads = new LinkedHashMap<>();
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
                            Bytes v = nullable(p);
                            reads.put(key, v == null ? null : Entry.of(v));
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
                            writes.add(new GroupView.Change(key, nullable(p), Entry.NONE));
                        }
                    }
                    default -> throw new ProtocolException(ErrorCode.MALFORMED, "a transaction in a log entry has '" + field + "'");
                }
            }
            return new Conditional(Write.Txn.NOW, reads, presence, keys, writes); // no key had a deadline then
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
