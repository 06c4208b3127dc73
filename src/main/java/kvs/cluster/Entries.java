package kvs.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * The bytes of a Raft log entry and of its reply: a run of writes as kvs-protocol requests
 * ({@code set}, {@code rm}), each in a frame of its own, and the reply as one response frame per
 * write, in order. The same codec as the wire, so an entry reads as what a client sent.
 */
final class Entries {

    /** The largest entry: Ratis refuses to replicate an entry above its appender's buffer (set to fit it). */
    static final int MAX_ENTRY_BYTES = 2 * Frames.DEFAULT_MAX_FRAME;

    private Entries() {
    }

    /** The entry of {@code writes}: sets and removes only (ClusterNode refuses transactions before). */
    static byte[] ofWrites(List<Write> writes) {
        List<Request> requests = new ArrayList<>(writes.size());
        for (Write w : writes) {
            requests.add(w.isRemove() ? new Request.Remove(w.key(), w.id()) : new Request.Set(w.key(), w.value(), w.id()));
        }
        return frames(requests.stream().map(Codec::encode).toList());
    }

    /** The writes of an entry. */
    static List<Write> writes(byte[] entry) throws ProtocolException {
        List<Write> out = new ArrayList<>();
        for (byte[] body : bodies(entry)) {
            out.add(switch (Codec.decodeRequest(body)) {
                case Request.Set s -> Write.set(s.key(), s.value(), s.id());
                case Request.Remove r -> Write.remove(r.key(), r.id());
                case Request other -> throw new ProtocolException(ErrorCode.MALFORMED, "not a write in a log entry: " + other);
            });
        }
        return out;
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
