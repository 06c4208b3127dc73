package kvs.concurrent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code everysec} policy: a daemon thread that runs a sync action once a second until
 * closed. A failing sync is logged and retried the next second; the thread survives it. Both
 * engines use it, and the benchmarks' peer engines (kvs.bench.peers) too; not API.
 */
public final class Syncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Syncer.class);
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The work done each second. */
    public interface Action {
        void sync() throws Exception;
    }

    private final Action action;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stop = lock.newCondition();
    /** Guarded by lock. */
    private boolean stopping;
    private final Thread thread;

    public Syncer(String name, Action action) {
        this.action = action;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    private void loop() {
        while (waitOneSecond()) {
            try {
                action.sync();
            } catch (Exception e) {
                log.error("{}: background fsync failed; retrying in a second", thread.getName(), e);
            }
        }
    }

    /** Waits a second; false once the syncer is closing. */
    private boolean waitOneSecond() {
        lock.lock();
        try {
            long left = PERIOD_NANOS;
            while (!stopping && left > 0) {
                left = stop.awaitNanos(left);
            }
            return !stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the thread is still running; for tests. */
    boolean isAlive() {
        return thread.isAlive();
    }

    /** Stops the thread and waits for it, so no sync runs once this returns; idempotent. The owner does its own final sync. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopping = true;
            stop.signalAll();
        } finally {
            lock.unlock();
        }
        Threads.joinUninterruptibly(thread);
    }
}
