package kvs.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** {@link Storage} on the real file system. */
final class DiskStorage implements Storage {

    @Override
    public Appender create(Path file) throws IOException {
        Files.createFile(file);
        return new FileAppender(new RandomAccessFile(file.toFile(), "rw"));
    }

    @Override
    public FileChannel openRead(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Override
    public void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * A {@code RandomAccessFile} rather than a {@code FileChannel}: an interrupt of the writing
     * thread cannot close it under everyone else.
     */
    private static final class FileAppender implements Appender {
        private final RandomAccessFile file;
        /** Bytes appended; the file pointer is here unless a write failed. */
        private long size;
        private boolean atEnd = true;

        FileAppender(RandomAccessFile file) {
            this.file = file;
        }

        @Override
        public void append(byte[] bytes, int off, int len) throws IOException {
            if (!atEnd) {
                file.seek(size);
            }
            atEnd = false;
            file.write(bytes, off, len);
            size += len;
            atEnd = true;
        }

        @Override
        public void sync() throws IOException {
            file.getFD().sync();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
