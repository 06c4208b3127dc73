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

    /** {@code engine}'s own group writes, or set and remove called one by one for an engine without them. */
    static GroupWriter of(KvsEngine engine) {
        if (engine instanceof GroupWriter g) {
            return g;
        }
        return writes -> {
            for (Write w : writes) {
                try {
                    if (w.isRemove()) {
                        engine.remove(w.key());
                    } else {
                        engine.set(w.key(), w.value());
                    }
                } catch (KvsException | IllegalArgumentException e) {
                    w.fail(e);
                }
            }
        };
    }
}
