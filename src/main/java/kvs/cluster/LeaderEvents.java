package kvs.cluster;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the times a member learns of a new leader, or becomes a leader that serves writes, so a
 * request that found no leader can wait for the next such event instead of sleeping out a backoff.
 */
final class LeaderEvents {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Events so far, so a waiter misses none that came after it looked. */
    private long count;

    void signal() {
        lock.lock();
        try {
            count++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The events so far; pass it to {@link #await}. */
    long seen() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until an event comes after the {@code seen}-th, for at most {@code nanos}. */
    void await(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (count == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }
}
