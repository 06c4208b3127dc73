package kvs.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The log file being appended to. Appends come from one thread at a time (the group-commit
 * leader); {@link #sync} may come from the everysec syncer at the same time, which the OS
 * allows. A {@code RandomAccessFile} rather than a {@code FileChannel}: an interrupt of the
 * writing thread cannot close it under everyone else.
 */
final class ActiveFile {

    final int id;
    private final Path path;
    private final RandomAccessFile file;
    /** Orders sync against close, so the syncer never fsyncs a closed descriptor. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Bytes appended; written by the leader only, read by the syncer. */
    private volatile long size;
    /** Whether the file pointer is at {@code size}: not after opening, nor after a failed write. */
    private boolean atEnd;
    /** Bytes known to be on stable storage; guarded by syncLock. */
    private long synced;
    private boolean closed;

    private ActiveFile(int id, Path path, RandomAccessFile file, long size) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.size = size;
        this.synced = size;
    }

    /** Creates a new, empty log file. */
    static ActiveFile create(Path dir, int id) throws IOException {
        Path path = LogFiles.log(dir, id);
        RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw");
        if (raf.length() != 0) {
            raf.close();
            throw new IOException("new log file " + path + " is not empty");
        }
        return new ActiveFile(id, path, raf, 0);
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
        if (!atEnd) {
            file.seek(size);
        }
        atEnd = false;
        file.write(bytes, off, len);
        size += len;
        atEnd = true;
    }

    /** Forces every appended byte to stable storage, unless none was appended since the last sync. */
    void sync() throws IOException {
        syncLock.lock();
        try {
            long target = size;
            if (closed || synced == target) {
                return;
            }
            file.getFD().sync();
            synced = target;
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
                file.getFD().sync();
                synced = size;
            }
            closed = true;
            file.close();
        } finally {
            syncLock.unlock();
        }
    }
}
