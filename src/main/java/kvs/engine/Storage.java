package kvs.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Every file operation of the log engine that opens, changes or syncs its directory. KvStore's
 * durability rests on the order of these calls alone, so a test can stand in a disk that forgets
 * whatever was not synced when the power goes ({@code PowerLossStorage}). Reads go through the
 * channels {@link #openRead} returns.
 */
interface Storage {

    /** The real file system. */
    Storage DISK = new DiskStorage();

    /** Creates {@code file}, which must not exist, for appending. Its name is durable only after {@link #syncDirectory}. */
    Appender create(Path file) throws IOException;

    /** Opens an existing file for positional reads. */
    FileChannel openRead(Path file) throws IOException;

    /** Cuts {@code file} to {@code size} bytes (durable after {@link #sync}). */
    void truncate(Path file, long size) throws IOException;

    /** Forces an existing file's bytes to stable storage. */
    void sync(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}; durable after {@link #syncDirectory}. */
    void move(Path from, Path to) throws IOException;

    /** Deletes {@code file} if it exists; durable after {@link #syncDirectory}. */
    void delete(Path file) throws IOException;

    /** Makes every creation, rename and deletion in {@code dir} so far durable. */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Fills {@code dst} with positional reads of {@code ch} from {@code pos}.
     *
     * @return false if the file ends first
     */
    static boolean readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }

    /** A file written at its end. One thread appends; {@link #sync} may come from another. */
    interface Appender extends Closeable {

        /** Hands bytes to the OS at the end of the file; after a failure, the next append overwrites what part of them landed. */
        void append(byte[] bytes, int off, int len) throws IOException;

        /** Forces every appended byte to stable storage. */
        void sync() throws IOException;

        /** This appender as a stream; closing the stream does not close the file. */
        default OutputStream stream() {
            Appender file = this;
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    file.append(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    file.append(b, off, len);
                }
            };
        }
    }
}
