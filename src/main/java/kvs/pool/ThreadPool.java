package kvs.pool;

/**
 * Runs jobs on threads. Implementations are thread-safe. A job that throws is logged and never
 * lowers the pool's thread count.
 */
public interface ThreadPool extends AutoCloseable {

    /**
     * Runs {@code job} on one of the pool's threads, or a new one.
     *
     * @throws java.util.concurrent.RejectedExecutionException once the pool is closed
     */
    void spawn(Runnable job);

    /**
     * Rejects new jobs, waits for running and queued jobs to finish (interrupting none) and
     * returns once no worker thread is left alive. Callers end long-running jobs first.
     */
    @Override
    void close();
}
