package kvs.pool;

/**
 * Runs jobs on threads. Implementations are thread-safe. A job that throws is logged and never
 * lowers the pool's thread count.
 */
public interface ThreadPool extends AutoCloseable {

    /**
     * Runs {@code job} on one of the pool's threads, or a new one.
     *
     * @param job the job; if it throws, the exception is logged
     * @throws java.util.concurrent.RejectedExecutionException once the pool is closed
     */
    void spawn(Runnable job);

    /**
     * Rejects new jobs, waits for running and queued jobs to finish (interrupting none) and
     * returns once no worker thread is left alive. Callers end long-running jobs first.
     */
    @Override
    void close();

    /**
     * The pool called {@code name} on the command line: {@code naive}, {@code shared-queue} or
     * {@code virtual}, with {@code threads} threads (used by the shared-queue pool only).
     *
     * @param name    {@code naive}, {@code shared-queue} or {@code virtual}
     * @param threads the number of threads, at least 1
     * @return a new pool
     * @throws IllegalArgumentException for another name, or fewer than one thread
     */
    static ThreadPool named(String name, int threads) {
        return switch (name) {
            case "naive" -> new NaiveThreadPool(threads);
            case "shared-queue" -> new SharedQueueThreadPool(threads);
            case "virtual" -> new VirtualThreadPool(threads);
            default -> throw new IllegalArgumentException("unknown pool '" + name
                    + "': expected naive, shared-queue or virtual");
        };
    }
}
