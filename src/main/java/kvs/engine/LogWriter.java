package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kvs.KeyNotFoundException;
import kvs.KvsException;

/**
 * Appends group-committed batches to the active log file, then publishes them to the index.
 * Every method runs under the group-commit leader lock, except {@link #syncActive}.
 *
 * <p>After an I/O failure the writer refuses further writes (the file's state is unknown, and
 * after a failed fsync the page cache cannot be trusted); reopening the store recovers.
 */
final class LogWriter implements GroupCommit.Handler<LogWriter.Write> {

    /** One set or remove, encoded by its caller before it queues. */
    static final class Write extends GroupCommit.Op {
        final String key;
        final byte[] record;
        final boolean remove;
        private Loc loc;

        Write(String key, byte[] record, boolean remove) {
            this.key = key;
            this.record = record;
            this.remove = remove;
        }
    }

    /** A batch is written in chunks of about this size, so offsets stay ints and buffers bounded. */
    private static final int CHUNK_BYTES = 8 << 20;

    private final Storage storage;
    private final Path dir;
    private final ConcurrentHashMap<String, Loc> index;
    private final Readers readers;
    private final LogSizes sizes;
    private final EngineOptions options;
    private final Compactor compactor;
    /** Replaced under the leader lock; read without it by the everysec syncer. */
    private volatile ActiveFile active;
    private byte[] chunk = new byte[64 << 10];
    private IOException failure;
    private boolean closed;
    /** fsyncs done by commits ({@code always}); written by the commit leader only. */
    private volatile long commitSyncs;

    LogWriter(Storage storage, Path dir, ConcurrentHashMap<String, Loc> index, Readers readers, LogSizes sizes,
              EngineOptions options, Compactor compactor, ActiveFile active) {
        this.storage = storage;
        this.dir = dir;
        this.index = index;
        this.readers = readers;
        this.sizes = sizes;
        this.options = options;
        this.compactor = compactor;
        this.active = active;
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
        // Whether each key touched earlier in this batch is live, for removes later in it.
        Map<String, Boolean> touched = batch.size() > 1 ? new HashMap<>() : null;
        List<Write> pending = new ArrayList<>();
        int bytes = 0;
        for (Write w : batch) {
            if (w.remove) {
                Boolean live = touched == null ? null : touched.get(w.key);
                if (!(live != null ? live : index.containsKey(w.key))) {
                    w.fail(new KeyNotFoundException());
                    continue;
                }
            }
            if (touched != null) {
                touched.put(w.key, !w.remove);
            }
            if (bytes > 0 && bytes + w.record.length > CHUNK_BYTES) {
                write(pending, bytes);
                pending.clear();
                bytes = 0;
            }
            pending.add(w);
            bytes += w.record.length;
        }
        if (!pending.isEmpty()) {
            write(pending, bytes);
        }
        if (sizes.compactionDue(options.compactionThreshold())) {
            compactor.wake();
        }
    }

    /** fsyncs done so far by commits under {@code always} (for the group-commit report). */
    long commitSyncs() {
        return commitSyncs;
    }

    /** Writes one chunk with one system call (and one fsync for {@code always}), then indexes it. */
    private void write(List<Write> ws, int bytes) throws KvsException {
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
        long liveDelta = 0;
        int offset = (int) base;
        for (Write w : ws) {
            w.loc = new Loc(file.id, offset, w.record.length);
            offset += w.record.length;
            Loc old = w.remove ? index.remove(w.key) : index.put(w.key, w.loc);
            liveDelta += (w.remove ? 0 : w.loc.length()) - (old == null ? 0 : old.length());
            w.succeed();
        }
        sizes.add(liveDelta, bytes);
        if (file.size() >= options.maxFileSize()) {
            roll(0);
        }
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
        active.sync();
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
