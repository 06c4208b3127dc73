package kvs.pool;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

import kvs.concurrent.Threads;

/** The naive and virtual pools: a new thread per job, each tracked until it ends so close() can wait. */
abstract class ThreadPerJob implements ThreadPool {

    private static final int MIN_PRUNE = 64;

    private final String poolName;
    private final ThreadFactory factory;
    /**
     * Every thread started and not yet pruned, guarded by itself; closing is set under the same
     * lock, so no thread starts after close() looks. A thread does not remove itself when its
     * job ends: it would then be gone from the set while still alive, and close() must wait for
     * it to end. Dead threads are pruned instead, whenever the set has doubled since the last
     * prune, which keeps it within twice the live threads at a constant cost per job.
     */
    private final Set<Thread> started = new HashSet<>();
    private int pruneAt = MIN_PRUNE;
    private boolean closed;

    /** @param threads unused: every job gets its own thread; must be positive all the same */
    ThreadPerJob(String poolName, ThreadFactory factory, int threads) {
        Jobs.checkThreads(threads);
        this.poolName = poolName;
        this.factory = factory;
    }

    @Override
    public final void spawn(Runnable job) {
        Thread thread = factory.newThread(() -> Jobs.runLogged(job));
        synchronized (started) {
            if (closed) {
                throw new RejectedExecutionException(poolName + " is closed");
            }
            if (started.size() >= pruneAt) {
                started.removeIf(t -> !t.isAlive());
                pruneAt = Math.max(MIN_PRUNE, 2 * started.size());
            }
            started.add(thread);
            thread.start(); // under the lock: a prune must never see it added but not yet alive
        }
    }

    @Override
    public final void close() {
        List<Thread> left;
        synchronized (started) {
            closed = true;
            left = List.copyOf(started);
        }
        left.forEach(Threads::joinUninterruptibly);
    }
}
