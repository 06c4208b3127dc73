package kvs.pool;

/** A new platform thread for every job (talent-plan's naive pool); the thread count is unused. */
public final class NaiveThreadPool extends ThreadPerJob {

    /**
     * Creates the pool.
     *
     * @param threads unused: every job gets its own thread; must be positive all the same
     */
    public NaiveThreadPool(int threads) {
        super("NaiveThreadPool", Thread.ofPlatform().name("kvs-naive-", 0).factory(), threads);
    }
}
