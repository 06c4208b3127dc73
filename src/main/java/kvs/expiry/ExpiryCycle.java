package kvs.expiry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.concurrent.Periodic;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Write;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active expiry cycle: removes keys whose deadline has passed, so they stop taking memory and
 * disk though no one reads them, by Redis's adaptive sampling (docs/EXPIRY.md). {@value #HZ} times
 * a second it samples {@value #KEYS_PER_LOOP} keys that have a deadline
 * ({@link Store#scanDeadlines}) and removes those expired with ordinary writes
 * ({@link Write#removeExpired}, which a key set again meanwhile survives); it samples again while
 * more than {@value #ACCEPTABLE_STALE_PERCENT}% of a sample had expired, until the cycle has run
 * {@link #BUDGET_NANOS} (25 ms): at most a quarter of one core, however many keys expire at once.
 * On a replicated group only the leader's store offers keys to sample, so the leader's cycle
 * removes them for every member, through the log.
 */
public final class ExpiryCycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExpiryCycle.class);

    /** Cycles a second, as Redis's default {@code hz}. */
    public static final int HZ = 10;
    /** Keys sampled at a time, as Redis's at its default effort. */
    public static final int KEYS_PER_LOOP = 20;
    /** A cycle samples again while more than this share of a sample had expired. */
    public static final int ACCEPTABLE_STALE_PERCENT = 10;
    /** The most one cycle runs: 25 ms of each 100, a quarter of a core, as Redis's slow cycle at hz 10. */
    public static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    /** Removals gathered into one group of writes (one log write; one fsync under {@code always}). */
    private static final int REMOVALS_AT_ONCE = 256;

    private final Store store;
    /** The thread that runs the cycles; null for a cycle run by hand. */
    private Periodic thread;

    // Written by the cycle's thread only (or a test's, with no thread running).
    private volatile long expired;
    private volatile long avgTtlMillis;
    /** Redis's {@code expired_stale_perc}: a moving average of the share of samples found expired, 0..1. */
    private volatile double stale;
    private volatile long timeCapReached;
    private volatile long cycleNanos;
    private volatile long cycles;

    private ExpiryCycle(Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Starts the cycle over {@code store} on a thread of its own, until {@link #close} (before the store's).
     *
     * @param store the store whose expired keys the cycle removes
     * @return the running cycle
     */
    public static ExpiryCycle start(Store store) {
        ExpiryCycle c = new ExpiryCycle(store);
        c.thread = new Periodic("kvs-expiry", Duration.ofSeconds(1).dividedBy(HZ), () -> c.runOnce(BUDGET_NANOS));
        return c;
    }

    /** A cycle that runs only when {@link #runOnce} is called; for tests. */
    static ExpiryCycle manual(Store store) {
        return new ExpiryCycle(store);
    }

    /** Runs one cycle of at most {@code budgetNanos} on the calling thread; returns the keys it removed. */
    long runOnce(long budgetNanos) {
        long start = System.nanoTime();
        long removedNow = 0;
        long sampledInCycle = 0;
        long expiredInCycle = 0;
        List<Write.RemoveExpired> removals = new ArrayList<>();
        try {
            boolean again;
            do {
                List<KeyDeadline> sample = store.scanDeadlines(KEYS_PER_LOOP);
                if (sample.isEmpty()) {
                    avgTtlMillis = 0; // no key has a deadline (or this member may not remove any)
                    break;
                }
                long now = store.clock().millis();
                int found = 0;
                long ttlSum = 0;
                int ttls = 0;
                for (KeyDeadline k : sample) {
                    if (Entry.expired(k.deadline(), now)) {
                        removals.add(Write.removeExpired(k.key(), k.deadline()));
                        found++;
                    } else {
                        ttlSum += k.deadline() - now;
                        ttls++;
                    }
                }
                if (ttls > 0) {
                    long avg = ttlSum / ttls;
                    long prior = avgTtlMillis;
                    avgTtlMillis = prior == 0 ? avg : (prior / 50) * 49 + avg / 50; // as Redis smooths it
                }
                sampledInCycle += sample.size();
                expiredInCycle += found;
                if (removals.size() >= REMOVALS_AT_ONCE) {
                    removedNow += remove(removals);
                }
                again = found * 100 > ACCEPTABLE_STALE_PERCENT * sample.size();
                if (again && System.nanoTime() - start >= budgetNanos) {
                    timeCapReached++;
                    break;
                }
            } while (again);
            removedNow += remove(removals);
        } catch (NotLeaderException e) {
            log.debug("no longer the group's leader: its new leader removes expired keys");
        } catch (KvsException e) {
            log.warn("the expiry cycle could not remove keys: {}", e.getMessage());
        }
        if (sampledInCycle > 0) {
            stale = 0.05 * expiredInCycle / sampledInCycle + 0.95 * stale;
        }
        cycleNanos += System.nanoTime() - start;
        cycles++;
        expired += removedNow;
        return removedNow;
    }

    /** Writes {@code removals} as one group and clears them; returns how many removed their key. */
    private long remove(List<Write.RemoveExpired> removals) throws KvsException {
        if (removals.isEmpty()) {
            return 0;
        }
        store.writeAll(removals);
        long n = 0;
        for (Write.RemoveExpired r : removals) {
            if (r.outcome() instanceof Outcome.Done<Boolean> d && d.value()) {
                n++;
            } else if (r.outcome() instanceof Outcome.Failed<Boolean> f) {
                removals.clear();
                throw f.cause();
            }
        }
        removals.clear();
        return n;
    }

    /**
     * The cycle's figures now.
     *
     * @return keys expired, their average time to live, the stale share, and the cycle's own cost
     */
    public ExpiryFigures figures() {
        return new ExpiryFigures(expired, avgTtlMillis, Math.round(stale * 10_000) / 100.0, timeCapReached,
                TimeUnit.NANOSECONDS.toMillis(cycleNanos), cycles);
    }

    /** Stops the cycle and waits for a cycle under way to end. */
    @Override
    public void close() {
        if (thread != null) {
            thread.close();
        }
    }
}
