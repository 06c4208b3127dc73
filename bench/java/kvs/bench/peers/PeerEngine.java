package kvs.bench.peers;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import kvs.KvsEngine;
import kvs.KvsException;
import kvs.concurrent.Periodic;
import kvs.engine.Durability;

/**
 * What the peers share: their name in messages, the everysec sync thread, refusing use after
 * close, and a close that stops the sync, syncs once more under everysec, then frees the engine.
 */
abstract class PeerEngine implements KvsEngine {

    private final String name;
    final Path dir;
    final Durability durability;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The everysec sync, or null. */
    private Periodic syncer;

    PeerEngine(String name, Path dir, Durability durability) {
        this.name = name;
        this.dir = dir;
        this.durability = durability;
    }

    /** Under everysec, runs {@link #sync} once a second until close; the subclass calls it once it can sync. */
    final void startSyncer() {
        if (durability == Durability.EVERYSEC) {
            syncer = new Periodic(name + "-sync-" + dir.getFileName(), Periodic.EVERY_SECOND, this::sync);
        }
    }

    /** Makes every write so far durable (the everysec policy's work). */
    abstract void sync() throws Exception;

    /** Frees the engine's resources; runs once, after the last sync. */
    abstract void release() throws Exception;

    final void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    final KvsException failed(String operation, Exception e) {
        return new KvsException(name + " " + operation + " failed in " + dir + ": " + e.getMessage(), e);
    }

    /** Stops the sync thread, syncs once more under everysec, and frees the engine; idempotent. */
    @Override
    public final void close() throws KvsException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (syncer != null) {
            syncer.close();
        }
        Exception failure = null;
        try {
            if (durability == Durability.EVERYSEC) {
                sync();
            }
        } catch (Exception e) {
            failure = e;
        }
        try {
            release();
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failed("close", failure);
        }
    }
}
