package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

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
import kvs.store.Watches;
import kvs.store.Write;

/**
 * The log-structured engine (Bitcask model): an append-only log in generation files, an
 * in-memory index from each live key to its latest record, lock-free reads, group-committed
 * writes and compaction on a background thread. See docs/STORAGE.md.
 *
 * <p>A key's deadline lives in its record and its index entry: a read checks it against
 * {@code options.clock()} without touching the disk, and hides a key whose deadline has passed
 * until a write, the expiry cycle ({@link #scanDeadlines}, {@link Write.RemoveExpired}) or
 * compaction removes it.
 */
public final class KvStore implements Store {

    /**
     * {@link #scanDeadlines} visits at most this many index slots for each key it may return, so
     * a sparse keyspace costs a call a bounded time (Redis's active expiry caps the buckets it
     * visits at 20 times the keys it samples, for the same reason).
     */
    static final int SCAN_SLOTS_PER_KEY = 20;

    /**
     * Under {@code always}, how long a group-commit leader waits for the other writers of its last
     * batch to queue again: 50 µs, a sixth of an fsync here, made two writers' groups 2.0 sets per
     * fsync instead of 1.3 (GroupCommitReport, bench/history/issue-14.md, fourth session).
     */
    private static final long GATHER_NANOS = 50_000;

    private final Storage storage;
    private final Path dir;
    private final EngineOptions options;
    private final DirectoryLock lock;
    /** Key → its latest record; written by whoever holds the group-commit leader lock. */
    private final KeyIndex index;
    /** Name → the latest record of the store's metadata ({@link Write.Meta}), in a namespace apart from the keys. */
    private final KeyIndex meta;
    private final Readers readers;
    private final ValueCache cache = new ValueCache();
    /** Reads a key's record (or its cached value) through the index, lock-free. */
    private final RecordReads reads;
    private final LogSizes sizes;
    private final LogWriter writer;
    private final GroupCommit<LogWriter.Write> commits;
    private final Compactor compactor;
    private final Periodic syncer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Watches watches;
    /** Makes a transaction's records visible to reads all at once. */
    private final Publication publication = new Publication();
    /**
     * The index slot the next {@link #scanDeadlines} starts at. Callers racing each other (the
     * expiry cycle is one thread) at worst scan some slots twice or skip them until next round.
     */
    private volatile int scanCursor;

    private KvStore(Storage storage, Path dir, EngineOptions options, DirectoryLock lock,
                    KeyIndex index, KeyIndex meta, Recovery.State state, Readers readers, boolean background)
            throws IOException {
        this.storage = storage;
        this.dir = dir;
        this.options = options;
        this.watches = options.watches() != null ? options.watches() : new Watches();
        this.lock = lock;
        this.index = index;
        this.meta = meta;
        this.readers = readers;
        this.reads = new RecordReads(dir, readers, cache, options.clock(), this::ensureOpen);
        this.sizes = new LogSizes(state.live(), state.total());
        for (int id : LogFiles.logIds(dir)) {
            readers.add(id);
        }
        int activeId = state.lastId() + 1;
        ActiveFile active = ActiveFile.create(storage, dir, activeId);
        readers.add(activeId);
        storage.syncDirectory(dir);
        this.compactor = new Compactor(storage, dir, index, meta, readers, sizes, options, cache, new Compactor.ActiveLog() {
            @Override
            public int roll(int reserve) throws KvsException {
                return commits.exclusive(() -> writer.roll(reserve));
            }

            @Override
            public void sync() throws IOException {
                writer.syncActive();
            }

            @Override
            public int holdingWrites(IntSupplier action) throws KvsException {
                return commits.exclusive(action::getAsInt);
            }
        });
        this.writer = new LogWriter(storage, dir, index, meta, readers, sizes, options, compactor, active,
                new GroupView.Committed() {
                    @Override
                    public Entry stored(Bytes key) throws KvsException {
                        return reads.read(index, key.toByteArray(), /* expiredToo= */ true, RecordReads.ENTRY);
                    }

                    @Override
                    public boolean contains(Bytes key) {
                        byte[] k = key.toByteArray();
                        return index.get(k, 0, k.length, KeyHash.of(k, 0, k.length)) != null;
                    }

                    @Override
                    public Iterator<Bytes> keys() {
                        return index.keys();
                    }
                }, cache, watches, publication);
        this.commits = new GroupCommit<>(writer, options.durability() == Durability.ALWAYS ? GATHER_NANOS : 0);
        this.syncer = options.durability() == Durability.EVERYSEC
                ? new Periodic("kvs-fsync-" + dir.getFileName(), Periodic.EVERY_SECOND, writer::syncActive)
                : null;
        if (background) {
            compactor.start();
            compactor.wake();
        }
    }

    /**
     * Opens (creating if needed) the store in {@code dir} with default options.
     *
     * @param dir the store's directory
     * @return the open store
     * @throws CorruptionException if a log file is corrupt
     * @throws KvsException        if the directory is locked by another engine or cannot be read
     */
    public static KvStore open(Path dir) throws KvsException {
        return open(dir, EngineOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store in {@code dir}.
     *
     * @param dir     the store's directory
     * @param options durability, compaction, file size and salvage
     * @return the open store
     * @throws CorruptionException if a log file is corrupt and {@code options.salvage()} is off
     * @throws KvsException        if the directory is locked by another engine or cannot be read
     */
    public static KvStore open(Path dir, EngineOptions options) throws KvsException {
        return open(dir, options, Storage.DISK, /* background= */ true);
    }

    /**
     * Opens the store with its files going through {@code storage}; for tests that simulate a
     * disk. Without {@code background}, no compaction thread starts: hints of sealed files and
     * compactions wait for {@link #compactNow} (for a model checker, which cannot follow a thread
     * it did not start).
     */
    static KvStore open(Path dir, EngineOptions options, Storage storage, boolean background) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return DirectoryLock.withLock(dir, lock -> {
            int format = FormatFile.check(storage, dir); // a newer format is refused before anything is read
            KeyIndex index = new KeyIndex();
            KeyIndex meta = new KeyIndex();
            Recovery.State state = Recovery.run(storage, dir, options.salvage(), index, meta);
            FormatFile.ensure(storage, dir, format); // once the directory has been read, before a write
            Readers readers = new Readers(storage, dir);
            try {
                return new KvStore(storage, dir, options, lock, index, meta, state, readers, background);
            } catch (IOException | RuntimeException e) {
                closeAfter(readers, e);
                throw e;
            }
        });
    }

    private static void closeAfter(AutoCloseable resource, Exception failure) {
        try {
            resource.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void set(Bytes key, Bytes value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        compactor.awaitRoom();
        commits.submit(logWrite(key, value));
    }

    /** The write of a set without a deadline, or of a remove when {@code value} is null; checked and encoded before it queues. */
    private static LogWriter.Write logWrite(Bytes key, Bytes value) {
        return logWrite(key, value, Entry.NONE);
    }

    /** The write of a set with {@code deadline}, or of a remove when {@code value} is null. */
    private static LogWriter.Write logWrite(Bytes key, Bytes value, long deadline) {
        return LogWriter.Write.of(key, value, deadline, encode(key, value, deadline, false));
    }

    /**
     * The log record of a set with {@code deadline} ({@link Entry#NONE} for none), or of a remove
     * when {@code value} is null; {@code continued}: the next record belongs to the same transaction.
     *
     * @throws Refusal if the key or value is too long for a record
     */
    static byte[] encode(Bytes key, Bytes value, long deadline, boolean continued) {
        checkLengths(key, value);
        return Record.encode(key, value, deadline, continued);
    }

    /** @throws Refusal if the key or value is too long for a record */
    private static void checkLengths(Bytes key, Bytes value) {
        if (key.length() > Record.MAX_KEY_BYTES) {
            throw new Refusal("the key is " + key.length() + " bytes; the maximum is " + Record.MAX_KEY_BYTES);
        }
        if (value != null && value.length() > Record.MAX_VALUE_BYTES) {
            throw new Refusal("the value is " + value.length() + " bytes; the maximum is " + Record.MAX_VALUE_BYTES);
        }
    }

    /**
     * One group commit for all of {@code writes}: one log write and, under {@code always}, one
     * fsync. A transaction's records go to the log together, marked as one, so recovery after
     * any crash keeps all or none of them.
     */
    @Override
    public void writeAll(List<? extends Write<?>> writes) {
        ensureOpen();
        compactor.awaitRoom();
        List<LogWriter.Write> ops = new ArrayList<>(writes.size());
        List<Write<?>> owners = new ArrayList<>(writes.size());
        for (Write<?> w : writes) {
            try {
                ops.add(switch (w) {
                    case Write.Set set -> logWrite(set.key(), set.value(), set.deadline());
                    case Write.Remove remove -> logWrite(remove.key(), null);
                    case Write.RemoveExpired r ->
                            LogWriter.Write.removeIfDeadline(r.key(), r.deadline(), encode(r.key(), null, Entry.NONE, false));
                    case Write.Txn<?> txn -> LogWriter.Write.transaction(txn.transaction(), txn.asOf(), txn.watch());
                    case Write.Meta m -> metaWrite(m.name(), m.value());
                });
                owners.add(w);
            } catch (Refusal r) {
                w.refuse(r);
            }
        }
        commits.submitAll(ops);
        for (int i = 0; i < ops.size(); i++) {
            settle(owners.get(i), ops.get(i));
        }
    }

    /** The write of a record of the store's metadata, or of its removal when {@code value} is null. */
    private static LogWriter.Write metaWrite(String name, Bytes value) {
        Bytes n = Bytes.utf8(name);
        checkLengths(n, value); // the same limits as a key's
        return LogWriter.Write.of(n, value, Entry.NONE, Record.encodeMeta(n, value));
    }

    /** Records on {@code w} the outcome of the log write {@code op} made of it. */
    @SuppressWarnings("unchecked")
    private static void settle(Write<?> w, LogWriter.Write op) {
        if (op.failed()) {
            w.fail(op.failure());
        } else if (op.refusal != null) {
            w.refuse(op.refusal);
        } else if (op.meta) {
            ((Write<Object>) w).settle(new Outcome.Done<>(null));
        } else if (op.remove) {
            ((Write<Boolean>) w).settle(Outcome.removed(!op.absent));
        } else {
            ((Write<Object>) w).settle(new Outcome.Done<>(op.result));
        }
    }

    @Override
    public void sync() throws KvsException {
        ensureOpen();
        try {
            writer.syncActive();
        } catch (IOException e) {
            throw new KvsException("cannot sync " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Iterator<Bytes> keys() {
        ensureOpen();
        return index.keys(options.clock().millis());
    }

    @Override
    public long size() {
        ensureOpen();
        return index.size();
    }

    @Override
    public Bytes get(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        byte[] k = key.toByteArray();
        StoredValue v = publication.read(() -> reads.read(index, k, /* expiredToo= */ false, RecordReads.VALUE));
        return v == null ? null : v.bytes();
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
                StoredValue v = reads.read(index, k, /* expiredToo= */ false, RecordReads.VALUE);
                values.add(v == null ? null : v.bytes());
            }
            return values;
        });
    }

    @Override
    public Watches watches() {
        return watches;
    }

    @Override
    public Entry entry(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        byte[] k = key.toByteArray();
        return publication.read(() -> reads.read(index, k, /* expiredToo= */ false, RecordReads.ENTRY));
    }

    @Override
    public InstantSource clock() {
        return options.clock();
    }

    /**
     * {@inheritDoc} Goes round the index's table from where the last call stopped, visiting at most
     * {@link #SCAN_SLOTS_PER_KEY} × {@code count} slots (and the table once); without a key that
     * has a deadline it visits none.
     */
    @Override
    public List<KeyDeadline> scanDeadlines(int count) {
        ensureOpen();
        if (count <= 0 || index.withDeadline() == 0) {
            return List.of();
        }
        List<KeyDeadline> found = new ArrayList<>(Math.min(count, 64));
        int slots = (int) Math.min(Integer.MAX_VALUE, (long) SCAN_SLOTS_PER_KEY * count);
        scanCursor = index.scanDeadlines(scanCursor, slots, count, found);
        return found;
    }

    @Override
    public Bytes meta(String name) throws KvsException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        StoredValue v = reads.read(meta, Bytes.utf8Array(name), /* expiredToo= */ false, RecordReads.VALUE);
        return v == null ? null : v.bytes();
    }

    /**
     * talent-plan's get, without converting a cached value on every read: the cache keeps a value
     * in the form it was last read in.
     */
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
        byte[] utf8 = k;
        StoredValue v = publication.read(() -> reads.read(index, utf8, /* expiredToo= */ false, RecordReads.VALUE));
        return v == null ? Optional.empty() : Optional.of(v.text(key));
    }

    @Override
    public boolean remove(Bytes key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        compactor.awaitRoom();
        LogWriter.Write w = logWrite(key, null);
        commits.submit(w);
        return !w.absent;
    }

    /** A copy of the index, its keys read as UTF-8; for tests. */
    java.util.Map<String, Loc> indexSnapshot() {
        java.util.Map<String, Loc> copy = new java.util.HashMap<>();
        index.forEach((e, slot) -> copy.put(KeyIndex.key(e).utf8(), new Loc(KeyIndex.file(e), KeyIndex.offset(e), KeyIndex.length(e))));
        return copy;
    }

    /** fsyncs done so far by commits under {@code always}: group commit's writes per fsync follow. */
    long commitSyncs() {
        return writer.commitSyncs();
    }

    /**
     * Compacts every sealed log file now, on the calling thread, whatever the stale bytes; for
     * tests (a crash at each step of it) and tools.
     */
    void compactNow() throws KvsException {
        ensureOpen();
        compactor.compactNow();
    }

    /** Compactions completed since open; for tests. */
    long compactions() {
        return compactor.compactions();
    }

    @Override
    public StoreFigures figures() {
        LogSizes.Sizes s = sizes.get();
        return new StoreFigures("kvs", options.durability().cliName(), index.size(), index.withDeadline(),
                writer.expired() + compactor.expired(), s.live(), s.total(),
                compactor.compactions(), compactor.lastMillis(), writer.syncs(), writer.writes(), null);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("KvStore is closed");
        }
    }

    /**
     * Stops background work, closes the active file (synced, whatever the durability),
     * writes its hint so the next open need not scan it, and releases the directory.
     */
    @Override
    public void close() throws KvsException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        compactor.close();
        if (syncer != null) {
            syncer.close();
        }
        try (lock; readers) {
            int last = commits.exclusive(() -> {
                try {
                    return writer.close();
                } catch (IOException e) {
                    throw new KvsException("cannot close the active log file in " + dir + ": " + e.getMessage(), e);
                }
            });
            if (last >= 0) {
                Compactor.writeHint(storage, dir, last, options.salvage());
            }
        } catch (IOException e) {
            throw new KvsException("cannot close " + dir + ": " + e.getMessage(), e);
        }
    }
}
