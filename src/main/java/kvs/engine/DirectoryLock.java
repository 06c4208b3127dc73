package kvs.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import kvs.KvsException;

/**
 * An OS lock on a data directory's {@code LOCK} file: one owner at a time, from any process,
 * and nothing stale after a crash because the OS drops the lock with the process.
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "LOCK";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Opens something that owns the lock it is given. */
    interface Opener<T> {
        T open(DirectoryLock lock) throws IOException, KvsException;
    }

    /**
     * Creates {@code dir} if needed, locks it and runs {@code opener}, releasing the lock if it fails.
     *
     * @throws KvsException if the directory cannot be created or locked, or the opener fails
     */
    static <T> T withLock(Path dir, Opener<T> opener) throws KvsException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new KvsException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        DirectoryLock lock = acquire(dir);
        try {
            return opener.open(lock);
        } catch (IOException e) {
            lock.releaseAfter(e);
            throw new KvsException("cannot open " + dir + ": " + e.getMessage(), e);
        } catch (KvsException | RuntimeException e) {
            lock.releaseAfter(e);
            throw e;
        }
    }

    private void releaseAfter(Exception failure) {
        try {
            close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Takes the lock at once or fails.
     *
     * @throws KvsException if another engine, in this process or another, holds the directory
     */
    static DirectoryLock acquire(Path dir) throws KvsException {
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new DirectoryLock(channel, lock);
            }
        } catch (OverlappingFileLockException e) {
            // Held by another engine in this JVM: reported below like a lock held by another process.
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new KvsException("cannot lock data directory " + dir + ": " + e.getMessage(), e);
        }
        closeQuietly(channel, null);
        throw new KvsException("data directory " + dir + " is locked: another kvs engine is using it");
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
