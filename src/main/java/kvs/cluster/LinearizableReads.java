package kvs.cluster;

import java.util.List;

import kvs.KvsException;
import kvs.concurrent.GroupCommit;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;

/**
 * Linearizable reads on a member: what every write acknowledged before a read began left.
 * Concurrent callers' reads share one ReadIndex, taken after they all began (a batch of
 * {@link #reads}, while the previous one is taken); each then reads this member's engine, which
 * hides a key whose deadline has passed by its own clock.
 */
final class LinearizableReads {

    private final Store engine;
    private final Submitter submitter;
    /** A shard's slot states, checked after each read; null for a single group. */
    private final SlotStates slots;
    /** Concurrent callers' reads, answered together after one ReadIndex while the previous one is taken. */
    private final GroupCommit<PendingRead<?>> reads = new GroupCommit<>(this::readGroup);

    LinearizableReads(Store engine, Submitter submitter, SlotStates slots) {
        this.engine = engine;
        this.submitter = submitter;
        this.slots = slots;
    }

    /** The entry of {@code key}, read linearizably; null when it is absent. */
    Entry entry(Bytes key) throws KvsException {
        return read(List.of(key), engine -> engine.entry(key));
    }

    /** The entries of {@code keys}, read linearizably, after one ReadIndex ({@link Store#entries}). */
    List<Entry> entries(List<Bytes> keys) throws KvsException {
        return read(keys, engine -> engine.entries(keys));
    }

    /** The values of {@code keys}, read linearizably and together ({@link Store#getAll}). */
    List<Bytes> values(List<Bytes> keys) throws KvsException {
        return read(keys, engine -> engine.getAll(keys));
    }

    private <T> T read(List<Bytes> keys, EngineRead<T> read) throws KvsException {
        PendingRead<T> pending = new PendingRead<>(keys, read);
        reads.submit(pending);
        return pending.result;
    }

    /** A read of this member's engine. */
    @FunctionalInterface
    private interface EngineRead<T> {
        T run(Store engine) throws KvsException;
    }

    /** A read waiting for the next ReadIndex, and its result once made. */
    private static final class PendingRead<T> extends GroupCommit.Op {
        final List<Bytes> keys;
        final EngineRead<T> read;
        T result;

        PendingRead(List<Bytes> keys, EngineRead<T> read) {
            this.keys = keys;
            this.read = read;
        }

        void run(Store engine) throws KvsException {
            result = read.run(engine);
        }
    }

    /**
     * Answers a batch of reads that all began before this call: one ReadIndex, then this member's
     * engine. A shard's read then checks that the shard still serves its keys' slot: a slot released
     * to another shard (whose writes it may take from then on) before the read, or while it ran,
     * fails it with {@link SlotNotServed}; the engine's copy of a released slot's keys is removed
     * only by a later entry, so a read that finds the slot still served read it whole.
     */
    private void readGroup(List<PendingRead<?>> group) throws KvsException {
        submitter.barrier();
        for (PendingRead<?> r : group) {
            r.run(engine);
            int slot = slots == null ? -1 : notReadable(r.keys);
            if (slot >= 0) {
                r.fail(new SlotNotServed(slot));
            } else {
                r.succeed();
            }
        }
    }

    /** The first slot of {@code keys} the shard does not serve reads of, or -1. */
    private int notReadable(List<Bytes> keys) {
        for (Bytes key : keys) {
            int slot = kvs.slots.HashSlot.of(key);
            if (!slots.readable(slot)) {
                return slot;
            }
        }
        return -1;
    }
}
