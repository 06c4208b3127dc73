package kvs.bench.load;

import java.util.concurrent.atomic.AtomicLong;

/** How many more requests may be sent: a count shared by every connection, or a deadline. */
abstract sealed class Budget {

    /** Up to {@code n} requests the caller may send now; 0 when the load is over. */
    abstract int take(int n);

    static Budget of(Workload w, long startNanos) {
        return w.duration() == null ? new Count(w.requests()) : new Until(startNanos + w.duration().toNanos());
    }

    static final class Count extends Budget {
        private final AtomicLong left;

        Count(long requests) {
            left = new AtomicLong(requests);
        }

        @Override
        int take(int n) {
            long had = left.getAndUpdate(l -> Math.max(0, l - n));
            return (int) Math.min(had, n);
        }
    }

    static final class Until extends Budget {
        private final long deadline;

        Until(long deadline) {
            this.deadline = deadline;
        }

        @Override
        int take(int n) {
            return System.nanoTime() - deadline < 0 ? n : 0;
        }
    }
}
