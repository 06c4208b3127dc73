package kvs.concurrent;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that runs an action once a period until closed: the {@code everysec} policy's
 * sync (both engines, and the benchmarks' peer engines) and the active expiry cycle. A failing
 * run is logged and the action runs again the next period; the thread survives it. Not API.
 */
public final class Periodic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    /** The {@code everysec} policy's period. */
    public static final Duration EVERY_SECOND = Duration.ofSeconds(1);

    /** The work done each period. */
    public interface Action {
        void run() throws Exception;
    }

    private final Action action;
    private final long periodNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stop = lock.newCondition();
    /** Guarded by lock. */
    private boolean stopping;
    private final Thread thread;

    /** Starts a thread named {@code name} that runs {@code action} once each {@code period}, the first after one period. */
    public Periodic(String name, Duration period, Action action) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        this.action = action;
        this.periodNanos = period.toNanos();
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    private void loop() {
        while (waitOnePeriod()) {
            try {
                action.run();
            } catch (Exception e) {
                log.error("{} failed; it runs again in {} ms", thread.getName(), periodNanos / 1_000_000, e);
            }
        }
    }

    /** Waits a period; false once closing. */
    private boolean waitOnePeriod() {
        lock.lock();
        try {
            long left = periodNanos;
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

    /** Stops the thread and waits for it, so no run starts or is under way once this returns; idempotent. */
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
