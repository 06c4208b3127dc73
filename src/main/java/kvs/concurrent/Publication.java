package kvs.concurrent;

import java.util.concurrent.locks.StampedLock;

import kvs.KvsException;

/**
 * Makes a group of writes visible to lock-free readers at once: the writer publishes a
 * transaction's keys inside {@link #publish}, and a read that may meet them runs through
 * {@link #read}, which sees all of them or none. A read takes no lock: it runs optimistically
 * and, only if a publication overlapped it, runs again once that is over. Writes of one key each
 * need no publication: a reader sees each key's value whole anyway.
 */
public final class Publication {

    /** A read of one or more keys, safe to run while a publication changes them (its result is then discarded). */
    @FunctionalInterface
    public interface Read<T> {
        T run() throws KvsException;
    }

    private final StampedLock lock = new StampedLock();

    /** Runs {@code read} so that it sees every publication whole or not at all. */
    public <T> T read(Read<T> read) throws KvsException {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            try {
                T result = read.run();
                if (lock.validate(stamp)) {
                    return result;
                }
            } catch (KvsException | RuntimeException e) {
                if (lock.validate(stamp)) {
                    throw e;
                } // a publication overlapped it: what it read may be torn; read again below
            }
        }
        stamp = lock.readLock();
        try {
            return read.run();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Starts publishing a group of writes: readers wait for {@link #end}. The writer's own thread only. */
    public long begin() {
        return lock.writeLock();
    }

    /** Ends the publication {@link #begin} started. */
    public void end(long stamp) {
        lock.unlockWrite(stamp);
    }
}
