package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The log file being appended to. Appends come from one thread at a time (the group-commit
 * leader); {@link #sync} may come from the everysec syncer at the same time, which the OS
 * allows.
 */
final class ActiveFile {

    final int id;
    private final Path path;
    private final Storage.Appender file;
    /** Orders sync against close, so the syncer never fsyncs a closed descriptor. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Bytes appended; written by the leader only, read by the syncer. */
    private volatile long size;
    /** Bytes known to be on stable storage; guarded by syncLock. */
    private long synced;
    private boolean closed;

    private ActiveFile(int id, Path path, Storage.Appender file, long size) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.size = size;
        this.synced = size;
    }

    /** Creates a new, empty log file; its directory entry is the caller's to sync. */
    static ActiveFile create(Storage storage, Path dir, int id) throws IOException {
        Path path = LogFiles.log(dir, id);
        return new ActiveFile(id, path, storage.create(path), 0);
    }

    long size() {
        return size;
    }

    Path path() {
        return path;
    }

    /**
     * Hands {@code len} bytes to the OS at the end of the file (no fsync). After a failed
     * write, the next append overwrites whatever part of it reached the file.
     */
    void append(byte[] bytes, int off, int len) throws IOException {
        file.append(bytes, off, len);
        size += len;
    }

    /**
     * Forces every appended byte to stable storage, unless none was appended since the last sync.
     *
     * @return whether it fsynced
     */
    boolean sync() throws IOException {
        syncLock.lock();
        try {
            long target = size;
            if (closed || synced == target) {
                return false;
            }
            file.sync();
            synced = target;
            return true;
        } finally {
            syncLock.unlock();
        }
    }

    /** Closes the file, after a final sync when {@code sync} is set. */
    void close(boolean sync) throws IOException {
        syncLock.lock();
        try {
            if (closed) {
                return;
            }
            if (sync && synced != size) {
                file.sync();
                synced = size;
            }
            closed = true;
            file.close();
        } finally {
            syncLock.unlock();
        }
    }
}
