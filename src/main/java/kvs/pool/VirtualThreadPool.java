package kvs.pool;

/** A virtual thread per job: cheap enough for one per connection, thousands of them idle. */
public final class VirtualThreadPool extends ThreadPerJob {

    /** @param threads unused: every job gets its own virtual thread; must be positive all the same */
    public VirtualThreadPool(int threads) {
        super("VirtualThreadPool", Thread.ofVirtual().name("kvs-virtual-", 0).factory(), threads);
    }
}
