package kvs.engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Live bytes (records the index points at) and total bytes (every log file) of one store. They
 * change together, so they live in one immutable value swapped by CAS; stale = total - live.
 */
final class LogSizes {

    /** One consistent reading. */
    record Sizes(long live, long total) {
        long stale() {
            return total - live;
        }
    }

    private final AtomicReference<Sizes> sizes;

    LogSizes(long live, long total) {
        sizes = new AtomicReference<>(new Sizes(live, total));
    }

    Sizes get() {
        return sizes.get();
    }

    void add(long liveDelta, long totalDelta) {
        sizes.updateAndGet(s -> new Sizes(s.live + liveDelta, s.total + totalDelta));
    }

    /** Whether stale bytes have reached max(threshold, live / 2): compaction's trigger for a store at rest. */
    boolean settleDue(long threshold) {
        Sizes s = sizes.get();
        return s.stale() >= Math.max(threshold, s.live / 2);
    }

    /**
     * How many times the live bytes compaction lets the stale bytes reach while it paces itself
     * (so that it takes no more than its share of the CPU) before it starts regardless.
     */
    static final long URGENT_RATIO = 8;

    /** Whether stale bytes have reached max(threshold, 8 × live): compaction starts at once, paced or not. */
    boolean compactionUrgent(long threshold) {
        Sizes s = sizes.get();
        return s.stale() >= Math.max(threshold, URGENT_RATIO * s.live);
    }

    /**
     * Whether stale bytes have reached twice the urgent level, 2 × max(threshold, 8 × live): the
     * compaction has fallen behind the writers, and they wait for it.
     */
    boolean writesMustWait(long threshold) {
        Sizes s = sizes.get();
        return s.stale() / 2 >= Math.max(threshold, URGENT_RATIO * s.live);
    }

    /** Whether stale bytes have reached max(threshold, live): compaction's trigger. */
    boolean compactionDue(long threshold) {
        Sizes s = sizes.get();
        return s.stale() >= Math.max(threshold, s.live);
    }
}
