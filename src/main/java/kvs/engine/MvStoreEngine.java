package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.EngineFigures;
import kvs.internal.GroupCommit;
import kvs.internal.GroupWriter;
import kvs.internal.KeySpace;
import kvs.internal.Syncer;
import kvs.internal.Transaction;
import kvs.internal.Utf8;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternative engine over H2's MVStore, with KvStore's durability promises: every write is
 * committed (one commit per group of concurrent writers) before it is acknowledged, and synced
 * before the ack for {@code always} or once a second for {@code everysec}.
 *
 * <p>MVStore writes a chunk per commit and overwrites chunks once nothing live is left in them.
 * Its own guard, a retention time (45 s by default), let per-write commits grow a file to
 * hundreds of MB. Here retention is 0 and reuse is tied to fsync instead: with {@code always}
 * every commit is synced before the next; otherwise a sync every {@value #COMMITS_PER_SYNC}
 * commits (and each second for {@code everysec}) is what releases the space superseded before
 * it, so the file holds the live data plus at most that many commits' chunks. MVStore reads
 * through an interruptible FileChannel, so calls run with the caller's interrupt status put
 * aside and restored after.
 */
public final class MvStoreEngine implements KvsEngine, GroupWriter, KeySpace, EngineFigures.Source {

    private static final Logger log = LoggerFactory.getLogger(MvStoreEngine.class);
    /** The MVStore file inside the data directory. */
    public static final String FILE_NAME = "kvs.mv.db";
    private static final int LOCK_ATTEMPTS = 10;
    /** Commits between the syncs that release superseded space (everysec and never). */
    static final int COMMITS_PER_SYNC = 256;
    /** Time close() may spend moving chunks so the file shrinks to about the live data. */
    private static final int CLOSE_COMPACTION_MS = 2000;

    private final Path dir;
    private final DirectoryLock lock;
    private final MVStore store;
    /** MVMap is safe for concurrent readers and writers; writes come from the commit leader only. */
    private final MVMap<String, String> map;
    private final Durability durability;
    private final GroupCommit<MapWrite> commits;
    private final Syncer syncer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Commits since the last sync; guarded by the commit leader. */
    private int unsyncedCommits;
    private final Object pinLock = new Object();
    /** The version in use as of the last sync, or null before the first; guarded by pinLock. */
    private MVStore.TxCounter pinned;
    /** Writes committed; written by the commit leader only. */
    private volatile long writes;
    /** Syncs of the file, by commits and by the syncer. */
    private final LongAdder syncs = new LongAdder();

    private static final class MapWrite extends GroupCommit.Op {
        final String key;
        final String value; // null: remove, or a transaction
        final Transaction transaction;

        MapWrite(String key, String value, Transaction transaction) {
            this.key = key;
            this.value = value;
            this.transaction = transaction;
        }
    }

    /** The map as a transaction sees it: MVMap's reads see the puts of the commit under way. */
    private final Transaction.View view = new Transaction.View() {
        @Override
        public String get(String key) {
            return map.get(key);
        }

        @Override
        public java.util.Collection<String> keys() {
            return new java.util.ArrayList<>(map.keySet());
        }
    };

    private MvStoreEngine(Path dir, DirectoryLock lock, MVStore store, Durability durability) {
        this.dir = dir;
        this.lock = lock;
        this.store = store;
        this.map = store.openMap("kvs");
        this.durability = durability;
        this.commits = new GroupCommit<>(this::commit);
        if (durability != Durability.ALWAYS) {
            syncAndReleaseSpace();
        }
        this.syncer = durability == Durability.EVERYSEC
                ? new Syncer("kvs-fsync-" + dir.getFileName(), this::syncAndReleaseSpace)
                : null;
    }

    /** Opens (creating if needed) the engine in {@code dir} with default options. */
    public static MvStoreEngine open(Path dir) throws KvsException {
        return open(dir, EngineOptions.defaults());
    }

    /**
     * Opens (creating if needed) the engine in {@code dir}; of the options it uses the durability,
     * and salvage (MVStore's recovery mode).
     *
     * @throws KvsException if the directory is locked by another engine or the store cannot be opened
     */
    public static MvStoreEngine open(Path dir, EngineOptions options) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return DirectoryLock.withLock(dir, lock -> {
            MVStore store = openStore(dir.resolve(FILE_NAME), options);
            store.setRetentionTime(0);
            return new MvStoreEngine(dir, lock, store, options.durability());
        });
    }

    /** Opens the MVStore, retrying briefly while a crashed owner's file lock is still being released. */
    private static MVStore openStore(Path file, EngineOptions options) throws KvsException {
        MVStore.Builder builder = new MVStore.Builder().fileName(file.toString());
        if (options.salvage()) {
            builder.recoveryMode();
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return builder.open();
            } catch (MVStoreException e) {
                if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED || attempt == LOCK_ATTEMPTS) {
                    throw new KvsException("cannot open " + file + ": " + e.getMessage(), e);
                }
                log.info("{} is locked; retrying ({}/{})", file, attempt, LOCK_ATTEMPTS);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    private void commit(List<MapWrite> batch) throws KvsException {
        boolean interrupted = Thread.interrupted();
        try {
            for (MapWrite w : batch) {
                if (w.transaction != null) {
                    run(w);
                } else if (w.value != null) {
                    map.put(w.key, w.value);
                } else if (map.remove(w.key) == null) {
                    w.fail(new KeyNotFoundException());
                }
            }
            store.commit();
            writes += batch.size(); // the leader's own field
            if (durability == Durability.ALWAYS) {
                store.sync();
                syncs.increment();
            } else if (++unsyncedCommits == COMMITS_PER_SYNC) {
                unsyncedCommits = 0;
                syncAndReleaseSpace();
            }
        } catch (MVStoreException e) {
            throw new KvsException("MVStore write failed in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs a transaction and applies its writes, or none of them if it fails; they commit with the batch. */
    private void run(MapWrite w) {
        List<kvs.internal.Write> writes;
        try {
            writes = w.transaction.writesIn(view);
            for (kvs.internal.Write o : writes) {
                checkUnicode(o.key(), o.isRemove() ? "" : o.value());
            }
        } catch (KvsException | RuntimeException e) {
            w.fail(e);
            return;
        }
        for (kvs.internal.Write o : writes) {
            if (o.isRemove()) {
                map.remove(o.key());
            } else {
                map.put(o.key(), o.value());
            }
        }
    }

    /**
     * Makes every commit so far durable, then lets MVStore reuse the space of chunks those commits
     * superseded. MVStore may overwrite a chunk once it holds no live page and its last use is
     * older than the oldest version in use; by keeping the version current at the last sync
     * registered as in use, only chunks superseded by synced commits are overwritten, so a power
     * loss cannot leave the newest synced version pointing at overwritten data.
     */
    private void syncAndReleaseSpace() {
        synchronized (pinLock) {
            MVStore.TxCounter next = store.registerVersionUsage();
            store.sync();
            syncs.increment();
            if (pinned != null) {
                store.deregisterVersionUsage(pinned);
            }
            pinned = next;
        }
    }

    /** MVStore compacts inside its own file: no compactions are counted; live bytes are the file's times its fill rate. */
    @Override
    public EngineFigures figures() {
        long total = store.getFileStore().size();
        return new EngineFigures("mvstore", durability.cliName(), map.sizeAsLong(),
                total * store.getFileStore().getFillRate() / 100, total, 0, 0, syncs.sum(), writes);
    }

    @Override
    public void sync() throws KvsException {
        ensureOpen();
        if (durability == Durability.ALWAYS) {
            return; // every commit was synced before it was acknowledged
        }
        try {
            syncAndReleaseSpace();
        } catch (MVStoreException e) {
            throw new KvsException("MVStore sync failed in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void set(String key, String value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        checkUnicode(key, value);
        commits.submit(new MapWrite(key, value, null));
    }

    @Override
    public Optional<String> get(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        boolean interrupted = Thread.interrupted();
        try {
            return Optional.ofNullable(map.get(key));
        } catch (MVStoreException e) {
            throw new KvsException("MVStore read failed in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void remove(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        commits.submit(new MapWrite(key, null, null));
    }

    /** One group commit (one MVStore commit, and under {@code always} one sync) for all of {@code writes}. */
    @Override
    public void writeAll(List<kvs.internal.Write> writes) {
        ensureOpen();
        commits.submitAll(writes, w -> {
            if (w.transaction() == null && !w.isRemove()) {
                checkUnicode(w.key(), w.value());
            }
            return new MapWrite(w.key(), w.value(), w.transaction());
        });
    }

    @Override
    public java.util.Iterator<String> keys() {
        ensureOpen();
        return map.keyIterator(null);
    }

    @Override
    public long size() {
        ensureOpen();
        return map.sizeAsLong();
    }

    /** MVStore would silently store '?' for an unpaired surrogate; refuse it as KvStore does. */
    private static void checkUnicode(String key, String value) {
        Utf8.encode("key", key, Integer.MAX_VALUE);
        Utf8.encode("value", value, Integer.MAX_VALUE);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("MvStoreEngine is closed");
        }
    }

    @Override
    public void close() throws KvsException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (syncer != null) {
            syncer.close();
        }
        try {
            commits.exclusive(() -> {
                synchronized (pinLock) { // every commit is synced: let the compaction on close use all the space
                    if (pinned != null) {
                        store.sync();
                        store.deregisterVersionUsage(pinned);
                        pinned = null;
                    }
                }
                store.close(CLOSE_COMPACTION_MS); // commits, shrinks the file, syncs, releases its lock
                return null;
            });
        } catch (MVStoreException e) {
            throw new KvsException("cannot close " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                log.warn("cannot release the lock on {}", dir, e);
            }
        }
    }
}
