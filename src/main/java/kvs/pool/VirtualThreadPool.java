package kvs.pool;

/**
 * A virtual thread per job: cheap enough for one per connection, thousands of them idle. Every
 * virtual thread of the JVM runs on its one scheduler, whose carrier threads {@link #useCarriers}
 * sets before the first starts.
 */
public final class VirtualThreadPool extends ThreadPerJob {

    /** The system property the JDK's virtual-thread scheduler reads its carrier count from, when it starts. */
    static final String CARRIERS = "jdk.virtualThreadScheduler.parallelism";

    /**
     * Creates the pool.
     *
     * @param threads unused: every job gets its own virtual thread; must be positive all the same
     */
    public VirtualThreadPool(int threads) {
        super("VirtualThreadPool", Thread.ofVirtual().name("kvs-virtual-", 0).factory(), threads);
    }

    /**
     * Runs the JVM's virtual threads on {@code carriers} platform threads, unless the JVM was
     * started with its own count ({@code -Djdk.virtualThreadScheduler.parallelism=N}); takes
     * effect only if no virtual thread has started yet, since the scheduler reads it once.
     *
     * @param carriers the number of carrier threads, at least 1
     * @return the count asked for: {@code carriers}, or the JVM's own
     * @throws IllegalArgumentException if {@code carriers} is below 1, or the JVM's own is not a number
     */
    public static int useCarriers(int carriers) {
        Jobs.checkThreads(carriers);
        String given = System.getProperty(CARRIERS);
        if (given != null) {
            try {
                return Integer.parseInt(given.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + CARRIERS + " must be a number of threads, not '" + given + "'", e);
            }
        }
        System.setProperty(CARRIERS, Integer.toString(carriers));
        return carriers;
    }
}
