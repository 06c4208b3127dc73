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
     * Whether stale bytes have reached twice compaction's trigger, 2 × max(threshold, live): the
     * compaction has fallen behind the writers by a whole trigger, and they wait for it.
     */
    boolean writesMustWait(long threshold) {
        Sizes s = sizes.get();
        return s.stale() / 2 >= Math.max(threshold, s.live);
    }

    /** Whether stale bytes have reached max(threshold, live): compaction's trigger. */
    boolean compactionDue(long threshold) {
        Sizes s = sizes.get();
        return s.stale() >= Math.max(threshold, s.live);
    }
}
