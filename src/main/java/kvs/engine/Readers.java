package kvs.engine;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One read channel per log file, shared by every thread through positional reads (thread-safe
 * and lock-free), so open files grow with generations, not with connections.
 *
 * <p>An interrupt of a thread blocked in {@code FileChannel} I/O closes the channel for everyone:
 * a reader that finds its channel closed reopens it in place and retries with its interrupt
 * status put aside, then restores the status.
 */
final class Readers implements AutoCloseable {

    private static final int MAX_ATTEMPTS = 8;

    private final Storage storage;
    private final Path dir;
    /** File id → channel; a file absent here was removed by compaction or close. */
    private final ConcurrentHashMap<Integer, FileChannel> channels = new ConcurrentHashMap<>();

    Readers(Storage storage, Path dir) {
        this.storage = storage;
        this.dir = dir;
    }

    /** Opens a reader for file {@code id} (before any index entry may point into it). */
    void add(int id) throws IOException {
        FileChannel old = channels.put(id, open(id));
        if (old != null) {
            old.close();
        }
    }

    /** Removes and closes file {@code id}'s reader; a reader racing with it retries via the index. */
    void remove(int id) throws IOException {
        FileChannel ch = channels.remove(id);
        if (ch != null) {
            ch.close();
        }
    }

    boolean contains(int id) {
        return channels.containsKey(id);
    }

    /** The ids of every open file, ascending. */
    List<Integer> ids() {
        List<Integer> ids = new ArrayList<>(channels.keySet());
        ids.sort(null);
        return ids;
    }

    /**
     * Reads the record of {@code length} bytes at {@code offset} in file {@code file}.
     *
     * @return the record's bytes, or null when its file is no longer open here
     */
    byte[] read(int file, int offset, int length) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channels.get(file);
                if (ch == null) {
                    return null;
                }
                try {
                    ByteBuffer buf = ByteBuffer.allocate(length);
                    if (!Storage.readFully(ch, buf, offset)) {
                        throw new EOFException("record at offset " + offset + " runs past the end of its file");
                    }
                    return buf.array();
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == MAX_ATTEMPTS) {
                        throw e;
                    }
                    reopenIfClosed(file);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void reopenIfClosed(int id) throws IOException {
        try {
            channels.computeIfPresent(id, (k, ch) -> {
                if (ch.isOpen()) {
                    return ch;
                }
                try {
                    return open(k);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private FileChannel open(int id) throws IOException {
        return storage.openRead(LogFiles.log(dir, id));
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Integer id : ids()) {
            try {
                remove(id);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
