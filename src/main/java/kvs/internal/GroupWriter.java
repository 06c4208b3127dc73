package kvs.internal;

import java.util.List;

import kvs.KvsEngine;
import kvs.KvsException;

/**
 * An engine that commits a run of writes as one group: for KvStore one log write and, under
 * {@code always}, one fsync; for MvStoreEngine one commit. The server hands it the writes of a
 * pipelined batch, so a connection waits for durability once per batch, not once per write.
 * Not API.
 */
public interface GroupWriter {

    /**
     * Applies {@code writes} in order, with the outcome of calling set and remove one after the
     * other, and returns once every write that succeeded is durable per the engine's policy. Each
     * write's outcome is recorded on it ({@link Write#failure()}); one write failing does not stop
     * the others unless the engine itself fails.
     *
     * @throws IllegalStateException if the engine is closed
     */
    void writeAll(List<Write> writes);

    /**
     * Makes every write so far durable, whatever the durability policy: a cluster member syncs
     * its engine before it records a snapshot, since the Raft log before it is then purged.
     *
     * @throws KvsException if the sync fails
     * @throws UnsupportedOperationException if the engine cannot sync on demand
     */
    default void sync() throws KvsException {
        throw new UnsupportedOperationException("this engine cannot sync on demand");
    }

    /**
     * {@code engine}'s own group writes or, for an engine without them, set and remove called one
     * by one, each group under one lock, so transactions are atomic against every write made
     * through this writer (but not against calls made on the engine directly).
     */
    static GroupWriter of(KvsEngine engine) {
        if (engine instanceof GroupWriter g) {
            return g;
        }
        Object lock = new Object();
        Transaction.View view = new Transaction.View() {
            @Override
            public String get(String key) throws KvsException {
                return engine.get(key).orElse(null);
            }

            @Override
            public java.util.Collection<String> keys() {
                KeySpace keys = KeySpace.of(engine);
                if (keys == null) {
                    throw new IllegalArgumentException("this engine cannot list its keys");
                }
                java.util.List<String> all = new java.util.ArrayList<>();
                keys.keys().forEachRemaining(all::add);
                return all;
            }
        };
        return writes -> {
            synchronized (lock) {
                for (Write w : writes) {
                    try {
                        if (w.transaction() != null) {
                            for (Write out : w.transaction().writesIn(view)) {
                                apply(engine, out);
                            }
                        } else {
                            apply(engine, w);
                        }
                    } catch (KvsException | IllegalArgumentException e) {
                        w.fail(e);
                    }
                }
            }
        };
    }

    private static void apply(KvsEngine engine, Write w) throws KvsException {
        if (w.isRemove()) {
            engine.remove(w.key());
        } else {
            engine.set(w.key(), w.value());
        }
    }
}
