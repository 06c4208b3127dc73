package kvs.resp;

import java.util.ArrayList;
import java.util.List;

import kvs.session.MemoryRoom;

/**
 * A connection's transaction as Redis keeps it between MULTI and EXEC: the commands queued (their
 * arguments, planned only when EXEC runs them), whether one was refused while queueing (then EXEC
 * discards them all), and the bytes they hold. Those may not pass the connection's maximum frame,
 * and beyond the first {@value #FREE} bytes they are reserved in the server's memory budget, as a
 * large frame is while it arrives: a client cannot queue without bound, many clients cannot
 * queue more than the budget together, and what a client queued goes with its connection.
 */
final class Multi {

    /** What each queued command costs besides its arguments' bytes (its list and arrays). */
    private static final int OVERHEAD = 64;
    /** What each argument costs besides its bytes. */
    private static final int ARGUMENT_OVERHEAD = 16;
    /** Bytes a queue holds without a reservation, as a small frame needs none; then reserved in steps of as many. */
    static final int FREE = 64 << 10;

    private final long maxBytes;
    private final MemoryRoom room;
    private List<List<byte[]>> queued;
    private boolean refused;
    /** The slot of the keys queued so far in a sharded cluster: NO_SLOT before the first, SEVERAL once two differ. */
    private int slot = kvs.command.Ops.NO_SLOT;
    private long bytes;
    /** What the queue has reserved in the server's budget. */
    private long reserved;

    /** A connection's transaction state, its queue held to {@code maxBytes} and reserved in {@code room}. */
    Multi(long maxBytes, MemoryRoom room) {
        this.maxBytes = maxBytes;
        this.room = room;
    }

    /** Whether MULTI has begun a transaction that EXEC or DISCARD has not yet ended. */
    boolean active() {
        return queued != null;
    }

    void begin() {
        queued = new ArrayList<>();
        refused = false;
        bytes = 0;
        slot = kvs.command.Ops.NO_SLOT;
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
            refuse();
            throw new RespError("ERR the transaction's queued commands would pass the max frame (" + maxBytes
                    + " bytes); it is discarded at EXEC");
        }
        long over = bytes + size - FREE - reserved;
        if (over > 0) {
            long step = (over + FREE - 1) / FREE * FREE;
            if (!room.reserve(step)) {
                refuse();
                throw new RespError("ERR the server's memory budget for requests is full: the transaction's queued"
                        + " commands cannot grow; it is discarded at EXEC");
            }
            reserved += step;
        }
        bytes += size;
        queued.add(List.copyOf(argv)); // each argument is an array of its own, never written again
    }

    /** A queued command's keys hash to {@code keySlot}. */
    void inSlot(int keySlot) {
        if (slot == kvs.command.Ops.NO_SLOT) {
            slot = keySlot;
        } else if (slot != keySlot) {
            slot = kvs.slots.HashSlot.SEVERAL;
        }
    }

    /** The slot of every key queued, NO_SLOT when none has keys, or SEVERAL (EXEC then answers CROSSSLOT). */
    int slot() {
        return slot;
    }

    /** A command was refused while queueing: EXEC will discard the transaction. */
    void refuse() {
        refused = true;
        queued.clear();
        letGo();
    }

    boolean refused() {
        return refused;
    }

    /** Ends the transaction; returns what it queued. */
    List<List<byte[]>> end() {
        List<List<byte[]>> q = queued;
        queued = null;
        letGo();
        return q;
    }

    /** Gives back what the queue reserved. */
    private void letGo() {
        room.release(reserved);
        reserved = 0;
        bytes = 0;
    }
}
