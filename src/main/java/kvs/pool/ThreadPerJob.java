package kvs.pool;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

import kvs.internal.Threads;

/** The naive and virtual pools: a new thread per job, each tracked until it ends so close() can wait. */
abstract class ThreadPerJob implements ThreadPool {

    private final String poolName;
    private final ThreadFactory factory;
    /** Guarded by itself; closing is set under the same lock, so no thread starts after close() looks. */
    private final Set<Thread> running = new HashSet<>();
    private boolean closed;

    /** @param threads unused: every job gets its own thread; must be positive all the same */
    ThreadPerJob(String poolName, ThreadFactory factory, int threads) {
        Jobs.checkThreads(threads);
        this.poolName = poolName;
        this.factory = factory;
    }

    @Override
    public final void spawn(Runnable job) {
        Thread thread = factory.newThread(() -> {
            try {
                Jobs.runLogged(job);
            } finally {
                synchronized (running) {
                    running.remove(Thread.currentThread());
                }
            }
        });
        synchronized (running) {
            if (closed) {
                throw new RejectedExecutionException(poolName + " is closed");
            }
            running.add(thread);
        }
        thread.start();
    }

    @Override
    public final void close() {
        List<Thread> left;
        synchronized (running) {
            closed = true;
            left = List.copyOf(running);
        }
        left.forEach(Threads::joinUninterruptibly);
    }
}
