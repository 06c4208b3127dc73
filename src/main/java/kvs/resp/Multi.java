package kvs.resp;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's transaction as Redis keeps it between MULTI and EXEC: the commands queued (their
 * arguments, planned only when EXEC runs them), whether one was refused while queueing (then EXEC
 * discards them all), and the bytes they hold, which may not pass the connection's maximum frame:
 * a client cannot queue without bound, and what it queued goes with its connection.
 */
final class Multi {

    /** What each queued command costs besides its arguments' bytes (its list and arrays). */
    private static final int OVERHEAD = 64;
    /** What each argument costs besides its bytes. */
    private static final int ARGUMENT_OVERHEAD = 16;

    private final long maxBytes;
    private List<List<byte[]>> queued;
    private boolean refused;
    private long bytes;

    /** A connection's transaction state, its queue held to {@code maxBytes}. */
    Multi(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Whether MULTI has begun a transaction that EXEC or DISCARD has not yet ended. */
    boolean active() {
        return queued != null;
    }

    void begin() {
        queued = new ArrayList<>();
        refused = false;
        bytes = 0;
    }

    /**
     * Queues a command's arguments.
     *
     * @throws RespError if the queue would pass its bytes (the transaction is then refused)
     */
    void queue(List<byte[]> argv) {
        if (refused) {
            return; // EXEC discards it anyway: nothing more is kept (as Redis)
        }
        long size = OVERHEAD;
        for (byte[] a : argv) {
            size += a.length + ARGUMENT_OVERHEAD;
        }
        if (bytes + size > maxBytes) {
            refused = true;
            queued.clear();
            throw new RespError("ERR the transaction's queued commands would pass the max frame (" + maxBytes
                    + " bytes); it is discarded at EXEC");
        }
        bytes += size;
        queued.add(List.copyOf(argv)); // each argument is an array of its own, never written again
    }

    /** A command was refused while queueing: EXEC will discard the transaction. */
    void refuse() {
        refused = true;
        queued.clear();
    }

    boolean refused() {
        return refused;
    }

    /** Ends the transaction; returns what it queued. */
    List<List<byte[]>> end() {
        List<List<byte[]>> q = queued;
        queued = null;
        bytes = 0;
        return q;
    }
}
