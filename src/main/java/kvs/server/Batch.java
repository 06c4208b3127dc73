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
 * connection from one batch to the next; it starts small, so an idle connection costs little.
 */
final class Batch {

    /** Enough to take every small frame an 8 KiB buffer can hold. */
    static final int MAX = 1024;
    private static final int INITIAL = 8;

    Request[] requests = new Request[INITIAL];
    Response[] replies = new Response[INITIAL];
    int size;
    /** The dispatcher's run of writes not yet handed to the engine, and their slots. */
    final List<Write> writes = new ArrayList<>();
    int[] writeSlots = new int[INITIAL];

    boolean isEmpty() {
        return size == 0;
    }

    boolean isFull() {
        return size == MAX;
    }

    /** Adds the request in the frame body of {@code length} bytes at {@code off}, or the error that it does not decode. */
    void addFrame(byte[] buf, int off, int length) {
        if (size == requests.length) {
            int n = Math.min(MAX, 2 * size);
            requests = Arrays.copyOf(requests, n);
            replies = Arrays.copyOf(replies, n);
            writeSlots = Arrays.copyOf(writeSlots, n);
        }
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
