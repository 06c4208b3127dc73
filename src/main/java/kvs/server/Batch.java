package kvs.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * The requests a connection has whole in its buffer, answered together: each slot holds a
 * request to execute or, for a frame that did not decode, its error reply. Reused by its
 * connection from one batch to the next.
 */
final class Batch {

    /** Enough to take every small frame an 8 KiB buffer can hold. */
    static final int MAX = 1024;

    final Request[] requests = new Request[MAX];
    final Response[] replies = new Response[MAX];
    int size;
    /** The dispatcher's run of writes not yet handed to the engine, and their slots. */
    final List<Write> writes = new ArrayList<>();
    final int[] writeSlots = new int[MAX];

    boolean isEmpty() {
        return size == 0;
    }

    boolean isFull() {
        return size == MAX;
    }

    /** Adds the request in the frame body of {@code length} bytes at {@code off}, or the error that it does not decode. */
    void addFrame(byte[] buf, int off, int length) {
        try {
            requests[size] = Codec.decodeRequest(buf, off, length);
        } catch (ProtocolException e) {
            replies[size] = new Response.Error(e.code(), e.getMessage());
        }
        size++;
    }

    void clear() {
        Arrays.fill(requests, 0, size, null);
        Arrays.fill(replies, 0, size, null);
        size = 0;
        writes.clear();
    }
}
