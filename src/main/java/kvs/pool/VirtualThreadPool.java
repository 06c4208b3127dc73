package kvs.pool;

/** A virtual thread per job: cheap enough for one per connection, thousands of them idle. */
public final class VirtualThreadPool implements ThreadPool {

    private final ThreadPerJob threads;

    /** @param threads unused: every job gets its own virtual thread; must be positive all the same */
    public VirtualThreadPool(int threads) {
        Jobs.checkThreads(threads);
        this.threads = new ThreadPerJob("VirtualThreadPool", Thread.ofVirtual().name("kvs-virtual-", 0).factory());
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
