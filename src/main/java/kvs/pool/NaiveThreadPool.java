package kvs.pool;

/** A new platform thread for every job (talent-plan's naive pool). */
public final class NaiveThreadPool implements ThreadPool {

    private final ThreadPerJob threads;

    /** @param threads unused: every job gets its own thread; must be positive all the same */
    public NaiveThreadPool(int threads) {
        Jobs.checkThreads(threads);
        this.threads = new ThreadPerJob("NaiveThreadPool", Thread.ofPlatform().name("kvs-naive-", 0).factory());
    }

    @Override
    public void spawn(Runnable job) {
        threads.spawn(job);
    }

    @Override
    public void close() {
        threads.close();
    }
}
