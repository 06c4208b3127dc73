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
    /** Concurrent callers' reads, answered together after one ReadIndex while the previous one is taken. */
    private final GroupCommit<PendingRead<?>> reads = new GroupCommit<>(this::readGroup);

    LinearizableReads(Store engine, Submitter submitter) {
        this.engine = engine;
        this.submitter = submitter;
    }

    /** The entry of {@code key}, read linearizably; null when it is absent. */
    Entry entry(Bytes key) throws KvsException {
        return read(engine -> engine.entry(key));
    }

    /** The entries of {@code keys}, read linearizably, after one ReadIndex ({@link Store#entries}). */
    List<Entry> entries(List<Bytes> keys) throws KvsException {
        return read(engine -> engine.entries(keys));
    }

    /** The values of {@code keys}, read linearizably and together ({@link Store#getAll}). */
    List<Bytes> values(List<Bytes> keys) throws KvsException {
        return read(engine -> engine.getAll(keys));
    }

    private <T> T read(EngineRead<T> read) throws KvsException {
        PendingRead<T> pending = new PendingRead<>(read);
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
        final EngineRead<T> read;
        T result;

        PendingRead(EngineRead<T> read) {
            this.read = read;
        }

        void run(Store engine) throws KvsException {
            result = read.run(engine);
        }
    }

    /** Answers a batch of reads that all began before this call: one ReadIndex, then this member's engine. */
    private void readGroup(List<PendingRead<?>> group) throws KvsException {
        submitter.barrier();
        for (PendingRead<?> r : group) {
            r.run(engine);
            r.succeed();
        }
    }
}
