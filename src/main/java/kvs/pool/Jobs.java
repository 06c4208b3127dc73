package kvs.pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every pool does around a job: an exception ends the job, never the thread running it. */
final class Jobs {

    private static final Logger log = LoggerFactory.getLogger(ThreadPool.class);

    private Jobs() {
    }

    static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, not " + threads);
        }
    }

    /**
     * Runs {@code job}, logging what it throws. Catching here rather than letting the worker die
     * and replacing it keeps the pool at full strength without a gap or a thread-creation cost
     * per failure; an Error (out of memory, say) is logged the same way, since a worker that
     * dies would not make the condition go away.
     */
    static void runLogged(Runnable job) {
        try {
            job.run();
        } catch (Throwable t) {
            log.error("a pool job failed", t);
        }
    }
}
