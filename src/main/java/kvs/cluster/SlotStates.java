package kvs.cluster;

import java.util.concurrent.TimeUnit;

import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.store.Bytes;

/**
 * What one shard does with each slot, as its log has decided (its ownership fence): a shard
 * serves a slot it {@link #OWNED owns}; holds a {@link #FROZEN frozen} one's writes while it is
 * copied out; takes only imports for one it is {@link #IMPORTING receiving}; and serves no other.
 * Every member applies the same entries, so every member's states are alike; the leader checks
 * a request against them before and after it runs, and its log refuses a write to a slot it does
 * not serve. Written by the thread that applies the shard's log; read by any.
 */
final class SlotStates {

    /** Not this shard's: requests go where the slot map says. */
    static final byte ABSENT = 0;
    /** This shard's: served. */
    static final byte OWNED = 1;
    /** This shard's, being copied to another: reads served, writes held. */
    static final byte FROZEN = 2;
    /** Becoming this shard's: its keys are being copied in; nothing served yet. */
    static final byte IMPORTING = 3;

    private final byte[] states;
    /** The id of the latest move this shard has taken a step of (0: none). */
    private long move;
    /** Bumped, and waiters woken, at every change. */
    private long version;

    private SlotStates(byte[] states) {
        this.states = states;
    }

    /** Shard {@code shard}'s states before any move: it owns its part of {@link SlotMap#even} of {@code shards}. */
    static SlotStates initial(int shard, int shards) {
        SlotMap map = SlotMap.even(shards);
        byte[] states = new byte[HashSlot.SLOTS];
        for (int slot = 0; slot < states.length; slot++) {
            states[slot] = map.owner(slot) == shard ? OWNED : ABSENT;
        }
        return new SlotStates(states);
    }

    /** Takes the states {@link #encode} wrote (the engine's record, at start-up). */
    synchronized void load(Bytes stored) {
        byte[] given = stored.toByteArray();
        if (given.length != HashSlot.SLOTS + 8) {
            throw new IllegalArgumentException("a shard's slot states are " + (HashSlot.SLOTS + 8) + " bytes, not " + given.length);
        }
        System.arraycopy(given, 0, states, 0, states.length);
        move = java.nio.ByteBuffer.wrap(given, HashSlot.SLOTS, 8).getLong();
        version++;
        notifyAll();
    }

    /** One byte per slot, then the latest move's id (8 bytes), as the engine's metadata keeps them. */
    synchronized Bytes encode() {
        return Bytes.wrap(java.nio.ByteBuffer.allocate(HashSlot.SLOTS + 8).put(states).putLong(move).array());
    }

    /**
     * Takes a step of move {@code id}: true, and the move the latest, unless a later move has taken
     * a step here (then the step is refused: its move is over).
     */
    synchronized boolean step(long id) {
        if (id < move) {
            return false;
        }
        move = id;
        return true;
    }

    synchronized byte state(int slot) {
        return states[slot];
    }

    /** Whether the shard serves reads of {@code slot}. */
    boolean readable(int slot) {
        byte s = state(slot);
        return s == OWNED || s == FROZEN;
    }

    /** Whether the shard takes writes of {@code slot} now. */
    boolean writable(int slot) {
        return state(slot) == OWNED;
    }

    /** Moves each of {@code slots} in state {@code from} to state {@code to}; the others stay. */
    synchronized void change(int[] slots, byte from, byte to) {
        for (int slot : slots) {
            if (states[slot] == from) {
                states[slot] = to;
            }
        }
        version++;
        notifyAll();
    }

    /** The count of changes so far. */
    synchronized long version() {
        return version;
    }

    /** Wakes those that {@link #await} a change (the slot map changed, which is not one of these states). */
    synchronized void wake() {
        version++;
        notifyAll();
    }

    /** Waits until a change after {@code seen}, or {@code nanos}. */
    synchronized void await(long seen, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (version == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
