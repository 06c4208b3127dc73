package kvs.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;

import kvs.concurrent.Threads;

/** A fixed number of platform threads taking jobs from one shared queue, in order. */
public final class SharedQueueThreadPool implements ThreadPool {

    /** Queued once per worker by close(), after every real job: the worker ends when it takes one. */
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    /** Guarded by queue, so no job is queued behind the STOP markers. */
    private boolean closed;

    /**
     * Creates the pool and starts its workers.
     *
     * @param threads the number of worker threads, at least 1
     */
    public SharedQueueThreadPool(int threads) {
        Jobs.checkThreads(threads);
        for (int i = 0; i < threads; i++) {
            Thread worker = Thread.ofPlatform().name("kvs-shared-" + i).start(this::work);
            workers.add(worker);
        }
    }

    private void work() {
        while (true) {
            Runnable job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                continue; // nothing interrupts workers but a job's leftovers; keep serving
            }
            if (job == STOP) {
                return;
            }
            Jobs.runLogged(job);
            Thread.interrupted(); // an interrupt a job left behind must not reach the next job
        }
    }

    @Override
    public void spawn(Runnable job) {
        java.util.Objects.requireNonNull(job, "job");
        synchronized (queue) {
            if (closed) {
                throw new RejectedExecutionException("SharedQueueThreadPool is closed");
            }
            queue.add(job);
        }
    }

    @Override
    public void close() {
        synchronized (queue) {
            if (!closed) {
                closed = true;
                workers.forEach(w -> queue.add(STOP));
            }
        }
        workers.forEach(Threads::joinUninterruptibly);
    }
}
