package kvs.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import kvs.KvsException;
import kvs.concurrent.GroupCommit;
import kvs.concurrent.Periodic;
import kvs.concurrent.Publication;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.KeyDeadline;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Transaction;
import kvs.store.Watch;
import kvs.store.Watches;
import kvs.store.Write;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
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
public final class MvStoreEngine implements Store {

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
    /**
     * The layout this code writes: format 3, byte-string keys and values in {@link #DATA_MAP}, a
     * value's deadline with it ({@link StoredValueType}) and in {@link #DEADLINES_MAP}. Format 2
     * (no deadlines) is format 3 without any, read as it is.
     */
    static final int FORMAT = 3;
    /** Format 1 (before keys and values were bytes): UTF-8 text in a map of strings of this name. */
    private static final String FORMAT_1_MAP = "kvs";
    private static final String DATA_MAP = "data";
    private static final String DEADLINES_MAP = "deadlines";
    /** Holds the layout's version under {@link #FORMAT_KEY}, and the store's metadata under {@link #META_PREFIX} + its name. */
    private static final String META_MAP = "kvs.meta";
    private static final String FORMAT_KEY = "format";
    private static final String META_PREFIX = "meta.";

    /** MVMap is safe for concurrent readers and writers; writes come from the commit leader only. */
    private final MVMap<byte[], StoredValue> map;
    /** The keys that have a deadline, and it (as their values hold it): for the expiry cycle's scan and the count. */
    private final MVMap<byte[], Long> deadlines;
    /** The layout's version and the store's metadata ({@link Write.Meta}): committed with the data. */
    private final MVMap<String, Object> meta;
    private final Durability durability;
    private final InstantSource clock;
    private final GroupCommit<MapWrite> commits;
    private final Periodic syncer;
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
    /** Keys removed as expired since open; written by the commit leader only. */
    private volatile long expiredKeys;
    /** Where the next {@link #scanDeadlines} starts: after this key (null: at the first). */
    private byte[] scanAfter;
    private final Watches watches;
    /** Makes a transaction's puts visible to reads all at once. */
    private final Publication publication = new Publication();

    private static final class MapWrite extends GroupCommit.Op {
        enum Kind { SET, REMOVE, REMOVE_EXPIRED, TXN, META }

        final Kind kind;
        /** The key set or removed; null for a transaction or metadata. */
        final Bytes key;
        /** The value set (a set, or metadata: null removes the record). */
        final Bytes value;
        /** A set's deadline, or the deadline a removal of an expired key requires. */
        final long deadline;
        final Transaction<?> transaction;
        /** A transaction's {@link Write.Txn#asOf()}. */
        final long asOf;
        /** The watch a transaction commits under, or null. */
        final Watch watch;
        /** The name of a record of the store's metadata this writes, or null. */
        final String metaName;
        /** Set by the leader: a remove that found its key absent (or a removal of an expired key that did not apply). */
        boolean absent;
        /** Set by the leader: a transaction's result, or its refusal. */
        Object result;
        Refusal refusal;

        private MapWrite(Kind kind, Bytes key, Bytes value, long deadline, Transaction<?> transaction, long asOf,
                         Watch watch, String metaName) {
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.deadline = deadline;
            this.transaction = transaction;
            this.asOf = asOf;
            this.watch = watch;
            this.metaName = metaName;
        }

        static MapWrite set(Bytes key, Bytes value, long deadline) {
            return new MapWrite(Kind.SET, key, value, deadline, null, Write.Txn.NOW, null, null);
        }

        static MapWrite remove(Bytes key) {
            return new MapWrite(Kind.REMOVE, key, null, Entry.NONE, null, Write.Txn.NOW, null, null);
        }

        static MapWrite removeExpired(Bytes key, long deadline) {
            return new MapWrite(Kind.REMOVE_EXPIRED, key, null, deadline, null, Write.Txn.NOW, null, null);
        }

        static MapWrite transaction(Write.Txn<?> txn) {
            return new MapWrite(Kind.TXN, null, null, Entry.NONE, txn.transaction(), txn.asOf(), txn.watch(), null);
        }

        static MapWrite meta(Write.Meta m) {
            return new MapWrite(Kind.META, null, m.value(), Entry.NONE, null, Write.Txn.NOW, null, META_PREFIX + m.name());
        }
    }

    /** The map as committed, expired keys too (MVMap's reads see the puts of the commit under way). */
    private final GroupView.Committed committed = new GroupView.Committed() {
        @Override
        public Entry stored(Bytes key) {
            StoredValue v = map.get(key.toByteArray());
            return v == null ? null : new Entry(v.bytes(), v.deadline());
        }

        @Override
        public boolean contains(Bytes key) {
            return map.containsKey(key.toByteArray());
        }

        @Override
        public Iterator<Bytes> keys() {
            Iterator<byte[]> it = map.keyIterator(null);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Bytes next() {
                    return Bytes.wrap(it.next());
                }
            };
        }
    };

    private MvStoreEngine(Path dir, DirectoryLock lock, MVStore store, Durability durability, InstantSource clock,
                          Watches watches) {
        this.dir = dir;
        this.lock = lock;
        this.store = store;
        this.map = openData(store);
        this.deadlines = openDeadlines(store);
        this.meta = store.openMap(META_MAP);
        this.durability = durability;
        this.clock = clock;
        this.watches = watches != null ? watches : new Watches();
        this.commits = new GroupCommit<>(this::commit);
        if (durability != Durability.ALWAYS) {
            syncAndReleaseSpace();
        }
        this.syncer = durability == Durability.EVERYSEC
                ? new Periodic("kvs-fsync-" + dir.getFileName(), Periodic.EVERY_SECOND, this::syncAndReleaseSpace)
                : null;
    }

    /**
     * Opens (creating if needed) the engine in {@code dir} with default options.
     *
     * @param dir the engine's directory
     * @return the open engine
     * @throws KvsException if the directory is locked by another engine or the store cannot be opened
     */
    public static MvStoreEngine open(Path dir) throws KvsException {
        return open(dir, EngineOptions.defaults());
    }

    /**
     * Opens (creating if needed) the engine in {@code dir}; of the options it uses the durability,
     * and salvage (MVStore's recovery mode).
     *
     * @param dir     the engine's directory
     * @param options the durability and salvage to use
     * @return the open engine
     * @throws KvsException if the directory is locked by another engine or the store cannot be opened
     */
    public static MvStoreEngine open(Path dir, EngineOptions options) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return DirectoryLock.withLock(dir, lock -> {
            MVStore store = openStore(dir.resolve(FILE_NAME), options);
            store.setRetentionTime(0);
            try {
                upgrade(store, dir);
            } catch (KvsException | RuntimeException e) {
                store.closeImmediately();
                throw e;
            }
            return new MvStoreEngine(dir, lock, store, options.durability(), options.clock(), options.watches());
        });
    }

    /**
     * Checks the layout's version: a newer one is refused, untouched; format 2 is marked format 3
     * (it is format 3 without deadlines) before the first write; format 1 (UTF-8 text, no
     * version) is read whole and rewritten in one commit, logged; a new store is marked format 3.
     */
    private static void upgrade(MVStore store, Path dir) throws KvsException {
        MVMap<String, Object> meta = store.openMap(META_MAP);
        Object version = meta.get(FORMAT_KEY);
        if (version != null) {
            if (!(version instanceof Integer v) || v > FORMAT) {
                throw new KvsException(dir + " holds MvStoreEngine format " + version + ", newer than this release"
                        + " reads (" + FORMAT + "): open it with the release that wrote it");
            }
            if (v == FORMAT) {
                return;
            }
            log.info("marking {} MvStoreEngine format {} (deadlines) from {}: its data is unchanged", dir, FORMAT, v);
        }
        if (version == null && store.hasMap(FORMAT_1_MAP)) {
            MVMap<String, String> old = store.openMap(FORMAT_1_MAP);
            MVMap<byte[], StoredValue> data = openData(store);
            log.info("upgrading {} from MvStoreEngine format 1 (text) to {} (bytes): {} keys", dir, FORMAT, old.sizeAsLong());
            for (Map.Entry<String, String> e : old.entrySet()) {
                data.put(e.getKey().getBytes(StandardCharsets.UTF_8),
                        new StoredValue(Bytes.wrap(e.getValue().getBytes(StandardCharsets.UTF_8))));
            }
            store.removeMap(old);
        }
        meta.put(FORMAT_KEY, FORMAT);
        store.commit();
        store.sync();
    }

    private static MVMap<byte[], Long> openDeadlines(MVStore store) {
        return store.openMap(DEADLINES_MAP, new MVMap.Builder<byte[], Long>()
                .keyType(ByteArrayDataType.INSTANCE).valueType(LongDataType.INSTANCE));
    }

    /** The map of the data: byte-string keys, values as {@link StoredValueType} keeps them. */
    private static MVMap<byte[], StoredValue> openData(MVStore store) {
        return store.openMap(DATA_MAP, new MVMap.Builder<byte[], StoredValue>()
                .keyType(ByteArrayDataType.INSTANCE).valueType(StoredValueType.INSTANCE));
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
            long now = clock.millis();
            // The map holds the batch's writes as they are made; the view's own record of them,
            // made from the first transaction on, keeps it current for the transactions after.
            GroupView view = null;
            for (MapWrite w : batch) {
                switch (w.kind) {
                    case TXN -> {
                        view = view != null ? view : new GroupView(committed, now);
                        run(w, view, now);
                    }
                    case META -> { // the metadata is no key: transactions do not see it
                        if (w.value != null) {
                            meta.put(w.metaName, w.value.toByteArray());
                        } else {
                            meta.remove(w.metaName);
                        }
                    }
                    case SET -> {
                        put(w.key, w.value, w.deadline, now);
                        watches.touched(w.key);
                        if (view != null) {
                            view.written(w.key, w.value, w.deadline);
                        }
                    }
                    case REMOVE -> {
                        StoredValue old = remove(w.key, now);
                        w.absent = old == null || old.expiredAt(now);
                        if (!w.absent) {
                            watches.touched(w.key);
                        }
                        if (view != null && old != null) {
                            view.written(w.key, null, Entry.NONE);
                        }
                    }
                    case REMOVE_EXPIRED -> {
                        StoredValue current = map.get(w.key.toByteArray());
                        w.absent = current == null || current.deadline() != w.deadline;
                        if (!w.absent) {
                            remove(w.key, now);
                            if (!current.expiredAt(now)) {
                                expiredKeys++; // removed as expired, though not by this clock: counted once
                                watches.touched(w.key); // present by this clock: a reader saw it go
                            }
                            if (view != null) {
                                view.written(w.key, null, Entry.NONE);
                            }
                        }
                    }
                }
            }
            interrupted |= commitWritten();
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

    /**
     * Commits the batch and returns once the file holds it. MVStore's background writer may have
     * stored the batch's changes first ({@code tryCommit}: the chunk is serialized and written on
     * its own executors after the store lock is let go); then {@code commit()} finds nothing to
     * store and returns before that chunk is in the file, and a crash would lose writes already
     * acknowledged. So when this commit stored nothing, or an interrupt may have cut its wait for
     * the write short (MVStore waits ignoring interrupts), it waits for every store operation
     * under way to finish. Commit leader only, with the interrupt status put aside; returns
     * whether an interrupt came meanwhile (put aside too, for the caller to restore).
     */
    private boolean commitWritten() {
        boolean stored = store.commit() >= 0;
        boolean interrupted = false;
        for (boolean cut = Thread.interrupted(); !stored || cut; cut = Thread.interrupted()) {
            interrupted |= cut;
            store.executeFilestoreOperation(() -> { }); // drains the serialization and write executors
            stored = true;
        }
        return interrupted;
    }

    /** Sets {@code key}, keeping {@link #deadlines} and the count of expired keys; commit leader only. */
    private void put(Bytes key, Bytes value, long deadline, long now) {
        byte[] k = key.toByteArray();
        StoredValue old = map.put(k, new StoredValue(value, deadline));
        replaced(k, old, now);
        if (deadline != Entry.NONE) {
            deadlines.put(k, deadline);
        }
    }

    /** Removes {@code key}; returns what it held, or null. Commit leader only. */
    private StoredValue remove(Bytes key, long now) {
        byte[] k = key.toByteArray();
        StoredValue old = map.remove(k);
        replaced(k, old, now);
        return old;
    }

    /** Accounts for the value {@code old} of {@code k} being replaced or removed: its deadline goes, and an expired one counts. */
    private void replaced(byte[] k, StoredValue old, long now) {
        if (old == null) {
            return;
        }
        if (old.deadline() != Entry.NONE) {
            deadlines.remove(k);
        }
        if (old.expiredAt(now)) {
            expiredKeys++; // the leader's own field
        }
    }

    /** Runs a transaction and applies its writes, or none of them if it refuses or fails; they commit with the batch. */
    private void run(MapWrite w, GroupView view, long now) {
        GroupView.Ran<?> ran;
        try {
            ran = view.run(w.transaction, w.asOf, w.watch);
        } catch (KvsException | RuntimeException e) {
            w.fail(e);
            return;
        }
        if (ran.refusal() != null) {
            w.refusal = ran.refusal();
            return;
        }
        List<GroupView.Change> changes = ran.changes();
        long stamp = changes.size() > 1 ? publication.begin() : 0; // readers see a transaction whole
        try {
            for (GroupView.Change c : changes) {
                if (c.isRemove()) {
                    StoredValue old = remove(c.key(), now);
                    if (old != null && !old.expiredAt(now)) {
                        watches.touched(c.key());
                    }
                } else {
                    put(c.key(), c.value(), c.deadline(), now);
                    watches.touched(c.key());
                }
            }
        } finally {
            if (stamp != 0) {
                publication.end(stamp);
            }
        }
        w.result = ran.result();
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
    public StoreFigures figures() {
        long total = store.getFileStore().size();
        return new StoreFigures("mvstore", durability.cliName(), map.sizeAsLong(), deadlines.sizeAsLong(), expiredKeys,
                total * store.getFileStore().getFillRate() / 100, total, 0, 0, syncs.sum(), writes, null);
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
    public void set(Bytes key, Bytes value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        commits.submit(MapWrite.set(key, value, Entry.NONE));
    }

    @Override
    public Entry entry(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        StoredValue v = read(key.toByteArray());
        return v == null ? null : new Entry(v.bytes(), v.deadline());
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    /** Goes on from the key after the last one returned, in key order, round the keys with a deadline. */
    @Override
    public synchronized List<KeyDeadline> scanDeadlines(int count) {
        ensureOpen();
        List<KeyDeadline> found = new ArrayList<>(Math.min(count, 1024));
        for (int round = 0; round < 2 && found.isEmpty(); round++) { // at the end with none found: from the start
            Cursor<byte[], Long> c = deadlines.cursor(scanAfter);
            while (found.size() < count && c.hasNext()) {
                byte[] k = c.next();
                if (scanAfter != null && Arrays.equals(k, scanAfter)) {
                    continue; // where the last call stopped: returned then
                }
                found.add(new KeyDeadline(Bytes.wrap(k), c.getValue()));
            }
            scanAfter = found.size() < count ? null : found.getLast().key().toByteArray(); // at the end: round again
        }
        return found;
    }

    @Override
    public Bytes get(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        StoredValue v = read(key.toByteArray());
        return v == null ? null : v.bytes();
    }

    /** talent-plan's get: a value read again as text is not decoded again (MVStore's page cache keeps the text). */
    @Override
    public Optional<String> get(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        byte[] k;
        try {
            k = Bytes.utf8Array(key);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // no such key can have been set
        }
        StoredValue v = read(k);
        return v == null ? Optional.empty() : Optional.of(v.text(key));
    }

    @Override
    public List<Bytes> getAll(List<Bytes> keys) throws KvsException {
        Objects.requireNonNull(keys, "keys");
        ensureOpen();
        byte[][] ks = new byte[keys.size()][];
        for (int i = 0; i < ks.length; i++) {
            ks[i] = keys.get(i).toByteArray();
        }
        return publication.read(() -> {
            List<Bytes> values = new ArrayList<>(ks.length);
            for (byte[] k : ks) {
                StoredValue v = readNow(k);
                values.add(v == null ? null : v.bytes());
            }
            return values;
        });
    }

    @Override
    public Watches watches() {
        return watches;
    }

    /** The value of the key {@code k}, or null when it is absent or expired; never part of a transaction's writes. */
    private StoredValue read(byte[] k) throws KvsException {
        return publication.read(() -> readNow(k));
    }

    /** The value of the key {@code k}, or null when it is absent or expired, read with the caller's interrupt status put aside. */
    private StoredValue readNow(byte[] k) throws KvsException {
        boolean interrupted = Thread.interrupted();
        try {
            StoredValue v = map.get(k);
            return v == null || v.expiredAt(clock.millis()) ? null : v;
        } catch (MVStoreException e) {
            throw new KvsException("MVStore read failed in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean remove(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        MapWrite w = MapWrite.remove(key);
        commits.submit(w);
        return !w.absent;
    }

    /** One group commit (one MVStore commit, and under {@code always} one sync) for all of {@code writes}. */
    @Override
    public void writeAll(List<? extends Write<?>> writes) {
        ensureOpen();
        List<MapWrite> ops = new ArrayList<>(writes.size());
        for (Write<?> w : writes) {
            ops.add(switch (w) {
                case Write.Set set -> MapWrite.set(set.key(), set.value(), set.deadline());
                case Write.Remove remove -> MapWrite.remove(remove.key());
                case Write.RemoveExpired r -> MapWrite.removeExpired(r.key(), r.deadline());
                case Write.Txn<?> txn -> MapWrite.transaction(txn);
                case Write.Meta m -> MapWrite.meta(m);
            });
        }
        commits.submitAll(ops);
        for (int i = 0; i < ops.size(); i++) {
            settle(writes.get(i), ops.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static void settle(Write<?> w, MapWrite op) {
        if (op.failed()) {
            w.fail(op.failure());
        } else if (op.refusal != null) {
            w.refuse(op.refusal);
        } else if (op.kind == MapWrite.Kind.REMOVE || op.kind == MapWrite.Kind.REMOVE_EXPIRED) {
            ((Write<Boolean>) w).settle(Outcome.removed(!op.absent));
        } else {
            ((Write<Object>) w).settle(new Outcome.Done<>(op.result));
        }
    }

    /** The keys present, read in key order; those whose deadline has passed (by the clock as listing starts) are left out. */
    @Override
    public Iterator<Bytes> keys() {
        ensureOpen();
        long now = clock.millis();
        Cursor<byte[], StoredValue> c = map.cursor(null);
        return new Iterator<>() {
            private byte[] next = advance();

            private byte[] advance() {
                while (c.hasNext()) {
                    byte[] k = c.next();
                    if (!c.getValue().expiredAt(now)) {
                        return k;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Bytes next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Bytes k = Bytes.wrap(next);
                next = advance();
                return k;
            }
        };
    }

    @Override
    public long size() {
        ensureOpen();
        return map.sizeAsLong();
    }

    @Override
    public Bytes meta(String name) {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        return meta.get(META_PREFIX + name) instanceof byte[] b ? Bytes.wrap(b) : null;
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
