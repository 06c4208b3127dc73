package kvs.server;

import java.util.Arrays;

import kvs.KeyNotFoundException;
import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * The kvs-protocol requests a connection has whole in its buffer, answered together: request i
 * is operation i of {@link #ops}, and a frame that did not decode has its error reply in place.
 * Reused by its connection from one batch to the next; it starts small, so an idle connection
 * costs little.
 */
final class Batch {

    /** Enough to take every small frame an 8 KiB buffer can hold. */
    static final int MAX = 1024;
    private static final int INITIAL = 8;

    final Ops ops = new Ops();
    /** The error reply of each frame that did not decode; null for the others. */
    private Response[] errors = new Response[INITIAL];

    int size() {
        return ops.size();
    }

    boolean isEmpty() {
        return ops.size() == 0;
    }

    boolean isFull() {
        return ops.size() == MAX;
    }

    /** Adds the request in the frame body of {@code length} bytes at {@code off}, or the error that it does not decode. */
    void addFrame(byte[] buf, int off, int length) {
        int i = ops.size();
        if (i == errors.length) {
            errors = Arrays.copyOf(errors, Math.min(MAX, 2 * i));
        }
        try {
            switch (Codec.decodeRequest(buf, off, length)) {
                case Request.Get g -> ops.read(g.key());
                case Request.Set s -> ops.write(Write.set(s.key(), s.value()));
                case Request.Remove r -> ops.write(Write.remove(r.key()));
            }
        } catch (ProtocolException e) {
            ops.none();
            errors[i] = new Response.Error(e.code(), e.getMessage());
        }
        ops.endRequest();
    }

    /** The reply to request {@code i}, once the dispatcher has executed it. */
    Response reply(int i) {
        if (errors[i] != null) {
            return errors[i];
        }
        Exception failure = ops.failure(i);
        if (failure != null) {
            return failed(failure);
        }
        return ops.kinds[i] == Ops.READ ? new Response.Value((String) ops.results[i]) : Response.Ok.INSTANCE;
    }

    private static Response failed(Exception e) {
        if (e instanceof KeyNotFoundException) {
            return new Response.Error(ErrorCode.KEY_NOT_FOUND, e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return new Response.Error(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        return new Response.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
    }

    void clear() {
        Arrays.fill(errors, 0, ops.size(), null);
        ops.clear();
    }
}
