package kvs.engine;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads one log file through a window of its bytes, {@link #BYTES} at a time (more for a record
 * that needs it), so that records read at ascending offsets cost one read per window, and bytes
 * no record asked for beyond a window are never read. The recovery scan and compaction both read
 * logs through it.
 */
final class LogWindow implements AutoCloseable {

    /** Bytes read at once. */
    static final int BYTES = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private byte[] buf = new byte[0];
    private long start;
    private int length;

    /** Opens {@code file} for reading. */
    LogWindow(Storage storage, Path file) throws IOException {
        this.file = file;
        this.channel = storage.openRead(file);
        try {
            this.size = channel.size();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The file's size when it was opened. */
    long size() {
        return size;
    }

    /** The window's bytes; what {@link #load} made available starts at the index it returned. */
    byte[] buffer() {
        return buf;
    }

    /**
     * Makes the {@code need} bytes at {@code pos} available in {@link #buffer()}; the caller has
     * checked that they lie within the file's size.
     *
     * @return where they start in it
     * @throws EOFException if the file has shrunk since it was opened
     */
    int load(long pos, int need) throws IOException {
        if (pos < start || pos + need > start + length) {
            int capacity = Math.max(need, BYTES);
            if (buf.length < capacity) {
                buf = new byte[capacity];
            }
            length = (int) Math.min(buf.length, size - pos);
            readFully(ByteBuffer.wrap(buf, 0, length), pos);
            start = pos;
        }
        return (int) (pos - start);
    }

    /**
     * Fills {@code dst} from {@code pos}, outside the window.
     *
     * @throws EOFException if the file has shrunk since it was opened
     */
    void readFully(ByteBuffer dst, long pos) throws IOException {
        if (!Storage.readFully(channel, dst, pos)) {
            throw new EOFException(file + " shrank while being read");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
