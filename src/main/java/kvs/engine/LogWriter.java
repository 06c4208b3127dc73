package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import kvs.KvsException;
import kvs.concurrent.GroupCommit;
import kvs.concurrent.Publication;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Refusal;
import kvs.store.Transaction;
import kvs.store.Watch;
import kvs.store.Watches;

/**
 * Appends group-committed batches to the active log file, then publishes them to the index.
 * Every method runs under the group-commit leader lock, except {@link #syncActive}.
 *
 * <p>A batch reads the clock once: its removes, transactions and count of expired keys all go by
 * that time. A remove of a key whose deadline has passed writes its tombstone but finds the key
 * absent; an expiry cycle's remove writes one only while the key's deadline is the one the cycle
 * found; either, and any other write that replaces or removes a key whose deadline had passed,
 * counts the key as expired.
 *
 * <p>After an I/O failure the writer refuses further writes (the file's state is unknown, and
 * after a failed fsync the page cache cannot be trusted); reopening the store recovers.
 */
final class LogWriter implements GroupCommit.Handler<LogWriter.Write> {

    /**
     * One set, remove or expiry cycle's remove, encoded by its caller before it queues, or a
     * transaction the leader runs.
     */
    static final class Write extends GroupCommit.Op {
        final Bytes key;
        /** The value set; null for a remove. */
        final Bytes value;
        /** A set's deadline, or {@link Entry#NONE}; for {@link #onlyIfDeadline}, the deadline the key must still have. */
        final long deadline;
        final byte[] record;
        /** The hashes of the key's bytes in {@code record} ({@link KeyHash}); 0 for a transaction. */
        final int hash;
        final int cacheHash;
        final boolean remove;
        /** An expiry cycle's remove ({@code Write.RemoveExpired}): made only if the key's deadline is still {@link #deadline}. */
        final boolean onlyIfDeadline;
        /** Whether this writes the store's metadata rather than a key. */
        final boolean meta;
        /** Null unless this is a transaction, which has no key or record of its own. */
        final Transaction<?> transaction;
        /** A transaction's time ({@code Write.Txn.asOf()}). */
        final long asOf;
        /** The watch a transaction commits under, or null. */
        final Watch watch;
        /** The queued operation whose outcome this write decides: itself, or the transaction that made it. */
        private final GroupCommit.Op owner;
        /** Set by the leader: a remove that found its key absent, or a conditional one that did not remove it. */
        boolean absent;
        /** Set by the leader: a transaction's result. */
        Object result;
        /** Set by the leader: a transaction's refusal, or null. */
        Refusal refusal;

        private Write(Bytes key, Bytes value, long deadline, byte[] record, boolean onlyIfDeadline,
                      Transaction<?> transaction, long asOf, Watch watch, GroupCommit.Op owner) {
            this.key = key;
            this.value = value;
            this.deadline = deadline;
            this.record = record;
            this.hash = record == null ? 0 : KeyHash.of(record, Record.keyStart(record, 0), keyLen(record));
            this.cacheHash = record == null ? 0 : KeyHash.local(record, Record.keyStart(record, 0), keyLen(record));
            this.remove = value == null && transaction == null;
            this.onlyIfDeadline = onlyIfDeadline;
            this.meta = record != null && Record.meta(record, 0);
            this.transaction = transaction;
            this.asOf = asOf;
            this.watch = watch;
            this.owner = owner == null ? this : owner;
        }

        /** A set of {@code key} with {@code deadline}, or its removal when {@code value} is null; also of the metadata's records. */
        static Write of(Bytes key, Bytes value, long deadline, byte[] record) {
            return new Write(key, value, deadline, record, false, null, 0, null, null);
        }

        /** An expiry cycle's removal of {@code key}, made only if its deadline is still {@code deadline}. */
        static Write removeIfDeadline(Bytes key, long deadline, byte[] tombstone) {
            return new Write(key, null, deadline, tombstone, true, null, 0, null, null);
        }

        /** A transaction, run as of {@code asOf} ({@code Write.Txn.NOW}: the batch's time) under {@code watch} (or none). */
        static Write transaction(Transaction<?> transaction, long asOf, Watch watch) {
            return new Write(null, null, Entry.NONE, null, false, transaction, asOf, watch, null);
        }

        /** One of the changes of the transaction {@code owner}. */
        private static Write change(GroupView.Change c, byte[] record, GroupCommit.Op owner) {
            return new Write(c.key(), c.value(), c.isRemove() ? Entry.NONE : c.deadline(), record, false, null, 0, null, owner);
        }

        private static int keyLen(byte[] record) {
            return Record.keyLen(record, 0);
        }
    }

    /** A batch is written in chunks of about this size, so offsets stay ints and buffers bounded. */
    private static final int CHUNK_BYTES = 8 << 20;

    private final Storage storage;
    private final Path dir;
    private final KeyIndex index;
    private final KeyIndex meta;
    private final Readers readers;
    private final LogSizes sizes;
    private final EngineOptions options;
    private final Compactor compactor;
    private final GroupView.Committed committed;
    private final ValueCache cache;
    private final Watches watches;
    private final Publication publication;
    /** Replaced under the leader lock; read without it by the everysec syncer. */
    private volatile ActiveFile active;
    private byte[] chunk = new byte[64 << 10];
    private IOException failure;
    private boolean closed;
    /** fsyncs done by commits ({@code always}); written by the commit leader only. */
    private volatile long commitSyncs;
    /** fsyncs done by {@link #syncActive} (everysec, compaction), from more than one thread. */
    private final LongAdder otherSyncs = new LongAdder();
    /** Writes committed; written by the commit leader only. */
    private volatile long writes;
    /** Keys removed as expired by writes; written by the commit leader only. */
    private volatile long expired;

    LogWriter(Storage storage, Path dir, KeyIndex index, KeyIndex meta, Readers readers, LogSizes sizes,
              EngineOptions options, Compactor compactor, ActiveFile active, GroupView.Committed committed, ValueCache cache,
              Watches watches, Publication publication) {
        this.storage = storage;
        this.dir = dir;
        this.index = index;
        this.meta = meta;
        this.readers = readers;
        this.sizes = sizes;
        this.options = options;
        this.compactor = compactor;
        this.active = active;
        this.committed = committed;
        this.cache = cache;
        this.watches = watches;
        this.publication = publication;
    }

    @Override
    public void commit(List<Write> batch) throws KvsException {
        if (closed) {
            throw new IllegalStateException("KvStore is closed");
        }
        if (failure != null) {
            throw new KvsException("writes refused after an I/O failure (reopen the store to recover): "
                    + failure.getMessage(), failure);
        }
        long now = options.clock().millis();
        GroupView view = new GroupView(committed, now);
        // Keys an earlier write of the batch wrote: the view knows them without reading a value
        Set<Bytes> written = batch.size() > 1 ? new HashSet<>() : null;
        List<Write> pending = new ArrayList<>();
        int bytes = 0;
        for (Write w : batch) {
            List<Write> writes;
            if (w.transaction != null) {
                writes = run(w, view);
                if (written != null) {
                    writes.forEach(c -> written.add(c.key));
                }
            } else if (w.meta) {
                if (w.remove && meta.get(w.record, Record.HEADER, Write.keyLen(w.record), w.hash) == null) {
                    w.absent = true;
                    w.succeed();
                    continue;
                }
                writes = List.of(w); // the metadata is no key: transactions do not see it
            } else if (w.onlyIfDeadline ? !stillHasDeadline(w, view, written) : w.remove && !view.contains(w.key)) {
                w.absent = true;
                w.succeed(); // nothing to write: done
                continue;
            } else {
                if (written != null) { // a later write or transaction of the batch must see it
                    view.written(w.key, w.value, w.deadline);
                    written.add(w.key);
                }
                writes = List.of(w);
            }
            if (writes.isEmpty()) {
                continue;
            }
            int more = 0;
            for (Write out : writes) {
                more += out.record.length;
            }
            if (bytes > 0 && bytes + more > CHUNK_BYTES) { // a transaction's writes are never split
                write(pending, bytes, now);
                pending.clear();
                bytes = 0;
            }
            pending.addAll(writes);
            bytes += more;
        }
        if (!pending.isEmpty()) {
            write(pending, bytes, now);
        }
        compactor.written();
    }

    /**
     * Whether the key of the expiry cycle's remove {@code w} has the deadline {@code w.deadline} as
     * the batch stands: from the view if an earlier write of the batch wrote it ({@code written}),
     * else from its index entry, without reading its value.
     */
    private boolean stillHasDeadline(Write w, GroupView view, Set<Bytes> written) throws KvsException {
        if (written != null && written.contains(w.key)) {
            Entry e = view.stored(w.key);
            return e != null && e.deadline() == w.deadline;
        }
        byte[] entry = index.get(w.record, Record.keyStart(w.record, 0), Write.keyLen(w.record), w.hash);
        return entry != null && KeyIndex.deadline(entry) == w.deadline;
    }

    /** Runs a transaction over {@code view}; its writes, encoded, or none if it refused or failed. */
    private List<Write> run(Write w, GroupView view) {
        try {
            GroupView.Ran<?> ran = view.run(w.transaction, w.asOf, w.watch);
            if (ran.refusal() != null) {
                w.refusal = ran.refusal();
                w.succeed();
                return List.of();
            }
            List<GroupView.Change> out = ran.changes();
            List<Write> writes = new ArrayList<>(out.size());
            for (int i = 0; i < out.size(); i++) {
                GroupView.Change c = out.get(i);
                boolean continued = i < out.size() - 1; // recovery keeps the records all or none
                writes.add(Write.change(c, KvStore.encode(c.key(), c.value(), c.deadline(), continued), w));
            }
            w.result = ran.result();
            if (writes.isEmpty()) {
                w.succeed(); // nothing to write: done
            }
            return writes;
        } catch (Refusal r) { // a key or value too long for a record
            w.refusal = r;
            w.succeed();
            return List.of();
        } catch (KvsException | RuntimeException e) {
            w.fail(e);
            return List.of();
        }
    }

    /** fsyncs done so far by commits under {@code always} (for the group-commit report). */
    long commitSyncs() {
        return commitSyncs;
    }

    /** fsyncs of the active file so far, by commits and by the syncer or compaction. */
    long syncs() {
        return commitSyncs + otherSyncs.sum();
    }

    /** Writes committed so far. */
    long writes() {
        return writes;
    }

    /** Keys removed as expired by writes so far: by an expiry cycle's removes, or by writes of keys whose deadline had passed. */
    long expired() {
        return expired;
    }

    /**
     * Writes one chunk with one system call (and one fsync for {@code always}), then indexes it;
     * {@code now}: the batch's time.
     */
    private void write(List<Write> ws, int bytes, long now) throws KvsException {
        ActiveFile file = active;
        long base = file.size();
        try {
            if (ws.size() == 1) {
                file.append(ws.get(0).record, 0, bytes);
            } else {
                byte[] buf = chunk.length >= bytes ? chunk : (chunk = new byte[Math.max(bytes, chunk.length * 2)]);
                int n = 0;
                for (Write w : ws) {
                    System.arraycopy(w.record, 0, buf, n, w.record.length);
                    n += w.record.length;
                }
                file.append(buf, 0, n);
            }
            if (options.durability() == Durability.ALWAYS) {
                file.sync();
                commitSyncs++; // the leader's own field: no other thread writes it
            }
        } catch (IOException e) {
            failure = e;
            throw new KvsException("write to " + file.path() + " failed: " + e.getMessage(), e);
        }
        long stamp = transactionRecords(ws) > 1 ? publication.begin() : 0; // readers see a transaction whole
        try {
            publish(ws, file, base, bytes, now);
        } finally {
            if (stamp != 0) {
                publication.end(stamp);
            }
        }
        if (file.size() >= options.maxFileSize()) {
            roll(0);
        }
    }

    /** How many of {@code ws} are records of transactions. */
    private static int transactionRecords(List<Write> ws) {
        int n = 0;
        for (Write w : ws) {
            if (w.owner != w) {
                n++;
            }
        }
        return n;
    }

    /**
     * Indexes the chunk {@code ws}, written to {@code file} from {@code base}, and settles its
     * writes; each write, once indexed, moves the version of its key if watched: a set always, a
     * removal (an expiry cycle's too) only of a key present as of {@code now} (removing a key
     * absent, or already past its deadline, changes nothing a reader saw).
     */
    private void publish(List<Write> ws, ActiveFile file, long base, int bytes, long now) {
        long liveDelta = 0;
        long expiredNow = 0;
        int offset = (int) base;
        for (Write w : ws) {
            int keyLen = Write.keyLen(w.record);
            int keyStart = Record.keyStart(w.record, 0);
            KeyIndex to = w.meta ? meta : index;
            byte[] old;
            if (w.remove) {
                old = to.remove(w.record, keyStart, keyLen, w.hash);
            } else {
                byte[] entry = KeyIndex.entry(w.record, keyStart, keyLen, file.id, offset, w.record.length, w.deadline);
                old = to.put(entry, w.hash);
                liveDelta += w.record.length;
                if (!w.meta) { // a read, or a transaction, after a write need not read it back
                    cache.put(w.cacheHash, entry, new StoredValue(w.value), Record.valueLen(w.record, 0));
                }
            }
            if (!w.meta) {
                boolean hadExpired = old != null && KeyIndex.expired(old, now);
                if (w.remove && !w.onlyIfDeadline) {
                    w.absent = old == null || hadExpired; // a key past its deadline goes, but was not present
                }
                if (w.onlyIfDeadline || hadExpired) {
                    expiredNow++;
                }
                if (!w.remove || old != null && !hadExpired) {
                    watches.touched(w.key);
                }
            }
            offset += w.record.length;
            liveDelta -= old == null ? 0 : KeyIndex.length(old);
            w.owner.succeed();
        }
        writes += ws.size(); // the leader's own fields
        if (expiredNow > 0) {
            expired += expiredNow;
        }
        sizes.add(liveDelta, bytes);
    }

    /**
     * Seals the active file and starts a new one, leaving {@code reserve} unused ids between
     * them for compaction output, which must replay after the sealed files and before new writes.
     *
     * @return the first reserved id (the sealed file's id + 1)
     */
    int roll(int reserve) throws KvsException {
        ActiveFile old = active;
        int next = old.id + 1 + reserve;
        try {
            // A sealed file is never torn, whatever the durability: open treats a bad sealed
            // record as corruption. So it is synced before a newer file can exist on disk.
            old.sync();
            ActiveFile fresh = ActiveFile.create(storage, dir, next);
            readers.add(next);
            storage.syncDirectory(dir);
            old.close(/* sync= */ false);
            active = fresh;
        } catch (IOException e) {
            failure = e;
            throw new KvsException("cannot start log file " + next + " in " + dir + ": " + e.getMessage(), e);
        }
        compactor.sealed(old.id);
        return old.id + 1;
    }

    /** The everysec policy's sync; safe to call while a batch is being written. */
    void syncActive() throws IOException {
        if (active.sync()) {
            otherSyncs.increment();
        }
    }

    /**
     * Refuses further writes and closes the active file, synced whatever the durability (its
     * hint, written next, must not describe bytes a power loss could take); returns its id, or
     * -1 when it held nothing and was deleted.
     */
    int close() throws IOException {
        closed = true;
        ActiveFile file = active;
        file.close(/* sync= */ true);
        if (file.size() == 0) {
            readers.remove(file.id);
            storage.delete(file.path());
            return -1;
        }
        return file.id;
    }
}
