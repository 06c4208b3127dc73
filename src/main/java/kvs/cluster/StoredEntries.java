package kvs.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;
import kvs.store.Transaction;
import kvs.store.Write;

/**
 * Every key a member's engine stores, with its entry, whether or not its deadline has passed by
 * the member's clock: what a snapshot must hold, since a key stays stored on every member until
 * the log removes it, and a leader with a slower clock may still read it as present. The engine's
 * own reads hide such keys, so these are read through transactions as of {@link #EARLIEST}, a
 * time before any deadline.
 */
final class StoredEntries {

    /** The earliest time a transaction can read as of (Unix milliseconds): no deadline has passed then. */
    static final long EARLIEST = 1;

    private StoredEntries() {
    }

    /** Every key {@code engine} stores. */
    static Collection<Bytes> keys(Store engine) throws KvsException {
        return run(engine, Transaction.View::keys);
    }

    /** The entries of {@code keys} as {@code engine} stores them, in order; null for a key it does not store. */
    static List<Entry> entries(Store engine, List<Bytes> keys) throws KvsException {
        return run(engine, view -> {
            List<Entry> entries = new ArrayList<>(keys.size());
            for (Bytes k : keys) {
                entries.add(view.entry(k));
            }
            return entries;
        });
    }

    private static <R> R run(Store engine, Transaction<R> reads) throws KvsException {
        Write.Txn<R> txn = Write.transaction(reads, EARLIEST);
        engine.writeAll(List.of(txn));
        return txn.outcome().get();
    }
}
