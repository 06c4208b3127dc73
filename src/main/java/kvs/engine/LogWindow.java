package kvs.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads the records of one log file at ascending offsets through a window of its bytes, so that
 * records close together cost one read, and the bytes between windows are never read.
 */
final class LogWindow implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private byte[] buf;
    private long start;
    private int length;

    /** Opens {@code file} with a window of {@code windowBytes} (larger for a record that needs it). */
    LogWindow(Storage storage, Path file, int windowBytes) throws IOException {
        this.file = file;
        this.channel = storage.openRead(file);
        this.size = channel.size();
        this.buf = new byte[windowBytes];
    }

    /** The file's size when it was opened. */
    long size() {
        return size;
    }

    /** The window's bytes; the record last loaded starts at the index {@link #load} returned. */
    byte[] buffer() {
        return buf;
    }

    /**
     * Makes the {@code recordLength} bytes at {@code offset} available in {@link #buffer()}.
     *
     * @return where they start in it
     * @throws CorruptionException if they run past the end of the file
     */
    int load(long offset, int recordLength) throws IOException, CorruptionException {
        if (offset < 0 || recordLength < 0 || offset + recordLength > size) {
            throw new CorruptionException(file, offset, "a record of " + recordLength + " bytes runs past the end of the file");
        }
        if (offset < start || offset + recordLength > start + length) {
            if (recordLength > buf.length) {
                buf = new byte[recordLength];
            }
            start = offset;
            length = (int) Math.min(buf.length, size - offset);
            if (!Storage.readFully(channel, ByteBuffer.wrap(buf, 0, length), offset)) {
                throw new CorruptionException(file, offset, "the file shrank while it was read");
            }
        }
        return (int) (offset - start);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
