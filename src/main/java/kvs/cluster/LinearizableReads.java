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
    private final GroupCommit<PendingRead> reads = new GroupCommit<>(this::readGroup);

    LinearizableReads(Store engine, Submitter submitter) {
        this.engine = engine;
        this.submitter = submitter;
    }

    /** The entry of {@code key}, read linearizably; null when it is absent. */
    Entry entry(Bytes key) throws KvsException {
        PendingRead read = new PendingRead(key, null);
        reads.submit(read);
        return read.entry;
    }

    /** The values of {@code keys}, read linearizably and together ({@link Store#getAll}). */
    List<Bytes> values(List<Bytes> keys) throws KvsException {
        PendingRead read = new PendingRead(null, keys);
        reads.submit(read);
        return read.values;
    }

    /** A read waiting for the next ReadIndex: of one key's entry, or of several keys' values. */
    private static final class PendingRead extends GroupCommit.Op {
        final Bytes key;
        final List<Bytes> keys;
        Entry entry;
        List<Bytes> values;

        PendingRead(Bytes key, List<Bytes> keys) {
            this.key = key;
            this.keys = keys;
        }
    }

    /** Answers a batch of reads that all began before this call: one ReadIndex, then this member's engine. */
    private void readGroup(List<PendingRead> group) throws KvsException {
        submitter.barrier();
        for (PendingRead r : group) {
            if (r.keys == null) {
                r.entry = engine.entry(r.key);
            } else {
                r.values = engine.getAll(r.keys);
            }
            r.succeed();
        }
    }
}
