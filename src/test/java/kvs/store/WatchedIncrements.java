package kvs.store;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client's optimistic increments of a counter, as Redis clients make them: WATCH the counter,
 * GET it, then MULTI, SET it one higher, EXEC; again after a broken watch. Tests run several at
 * once on a store and check that the count comes out exact.
 */
public final class WatchedIncrements {

    private WatchedIncrements() {
    }

    /**
     * Increments {@code counter} in {@code store} {@code times} times, retrying each whose watch
     * was broken (counted in {@code broken}); every client's first read waits at
     * {@code firstReads}, so all of them read the first value and all but one must retry.
     */
    public static void run(Store store, Bytes counter, int times, CyclicBarrier firstReads, AtomicInteger broken)
            throws Exception {
        for (int done = 0, round = 0; done < times; round++) {
            try (Watch w = Watch.on(store)) {
                w.add(counter);
                Bytes read = store.get(counter);
                long next = (read == null ? 0 : Long.parseLong(read.utf8())) + 1;
                if (round == 0) {
                    firstReads.await(30, TimeUnit.SECONDS);
                }
                Write.Txn<Object> exec = Write.transaction(view -> {
                    view.set(counter, Bytes.utf8(Long.toString(next)));
                    return null;
                }, w);
                store.writeAll(List.of(exec));
                if (exec.outcome() instanceof Outcome.Refused<Object> r && r.refusal() instanceof WatchBroken) {
                    broken.incrementAndGet(); // retry
                } else {
                    exec.outcome().get();
                    done++;
                }
            }
        }
    }
}
