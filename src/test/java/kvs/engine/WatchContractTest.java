package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Transaction;
import kvs.store.Watch;
import kvs.store.WatchBroken;
import kvs.store.WatchedIncrements;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Watches (Redis's WATCH), as the store contract promises them, over every store: both engines
 * and a one-member replicated group. A transaction made with a {@link Watch} commits only if no
 * watched key was set, removed while present, or written by a transaction since it was watched,
 * and none present then has passed its deadline; otherwise it is refused with
 * {@link WatchBroken} and writes nothing. Time is a {@link ManualClock} the tests move.
 */
class WatchContractTest {

    static Stream<Arguments> engines() {
        return EngineContractTest.engines();
    }

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    private Store open(EngineContractTest.Opener opener) throws Exception {
        return opener.open(dir, EngineOptions.defaults().withClock(clock));
    }

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    /** A watch of {@code keys} on {@code store}. */
    private static Watch watch(Store store, String... keys) throws Exception {
        Watch w = Watch.on(store);
        for (String k : keys) {
            w.add(b(k));
        }
        return w;
    }

    /** A transaction under {@code watch} that sets "k" to "mine" and "marker" to "written": what an EXEC of two SETs runs. */
    private static Write.Txn<String> exec(Watch watch) {
        return Write.transaction(view -> {
            view.set(b("k"), b("mine"));
            view.set(b("marker"), b("written"));
            return "ran";
        }, watch);
    }

    private static <R> Outcome<R> one(Store s, Write<R> w) {
        s.writeAll(List.of(w));
        return w.outcome();
    }

    /** Asserts that {@code exec} ran and wrote its two keys. */
    private static void assertCommitted(Store s, Outcome<String> outcome) throws Exception {
        assertThat(outcome).isEqualTo(new Outcome.Done<>("ran"));
        assertThat(s.get(b("k"))).isEqualTo(b("mine"));
        assertThat(s.get(b("marker"))).isEqualTo(b("written"));
    }

    /** Asserts that {@code exec} was refused for its watch and wrote nothing. */
    private static void assertBroken(Store s, Outcome<String> outcome) throws Exception {
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused<String>) outcome).refusal()).isInstanceOf(WatchBroken.class)
                .hasMessageContaining("k");
        assertThat(s.get(b("marker"))).as("nothing of the transaction written").isNull();
    }

    /** Removes every key, as FLUSHDB runs. */
    private static final Transaction<Integer> FLUSH = view -> {
        int n = 0;
        for (Bytes k : view.keys()) {
            if (view.remove(k)) {
                n++;
            }
        }
        return n;
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aTransactionUnderAWatch_commits_whenNothingChanged(String name, EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            s.set(b("k"), b("v"));
            try (Watch w = watch(s, "k", "absent")) {
                assertThat(s.get(b("k"))).isEqualTo(b("v")); // reads change nothing
                assertCommitted(s, one(s, exec(w)));
            }
            try (Watch w = watch(s, "k")) {
                Outcome<String> outcome = one(s, exec(w));
                assertCommitted(s, outcome);
                assertThat(one(s, exec(w))).as("its own commit moved k: the same watch again is broken")
                        .isInstanceOf(Outcome.Refused.class);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void anotherWritersSet_breaksTheWatch_evenOfTheSameValue(String name, EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            s.set(b("k"), b("v"));
            try (Watch w = watch(s, "k")) {
                s.set(b("k"), b("v"));
                assertBroken(s, one(s, exec(w)));
                assertThat(s.get(b("k"))).isEqualTo(b("v"));
            }
            try (Watch w = watch(s, "k")) {
                s.set(b("k"), b("v"), clock.millis() + 60_000); // the same value, a deadline set: a write too
                assertBroken(s, one(s, exec(w)));
            }
            try (Watch w = watch(s, "never-set")) {
                s.set(b("never-set"), b("now set"));
                Outcome<String> outcome = one(s, Write.transaction(view -> {
                    view.set(b("marker"), b("written"));
                    return "ran";
                }, w));
                assertThat(outcome).isInstanceOf(Outcome.Refused.class);
                assertThat(s.get(b("marker"))).isNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aRemoveOfThePresentKey_breaksIt_andARemoveOfAnAbsentKey_doesNot(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            try (Watch w = watch(s, "k")) {
                assertThat(s.remove(b("k"))).isFalse();
                assertCommitted(s, one(s, exec(w)));
            }
            assertThat(s.remove(b("marker"))).isTrue();
            try (Watch w = watch(s, "k")) {
                assertThat(s.remove(b("k"))).isTrue();
                assertBroken(s, one(s, exec(w)));
                assertThat(s.get(b("k"))).isNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aTransactionWritingTheKey_breaksIt_oneWritingOthers_doesNot(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            s.set(b("k"), b("1"));
            try (Watch w = watch(s, "k")) {
                s.transact(TransactionTest.increment("other", 1));
                s.set(b("other2"), b("x"));
                assertThat(s.remove(b("other2"))).isTrue();
                assertCommitted(s, one(s, exec(w)));
            }
            assertThat(s.remove(b("marker"))).isTrue();
            try (Watch w = watch(s, "k")) {
                s.transact(view -> {
                    view.set(b("k"), view.get(b("k"))); // its own value back: a write all the same
                    return null;
                });
                assertBroken(s, one(s, exec(w)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aFlushRemovingEveryKey_breaksAWatchOfAPresentKey_notOfAnAbsentOne(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            s.set(b("k"), b("v"));
            s.set(b("a"), b("1"));
            try (Watch w = watch(s, "k")) {
                assertThat(s.transact(FLUSH)).isEqualTo(2);
                assertBroken(s, one(s, exec(w)));
            }
            s.set(b("a"), b("1"));
            try (Watch absent = watch(s, "k")) {
                assertThat(s.transact(FLUSH)).as("a present, k absent").isEqualTo(1);
                assertCommitted(s, one(s, exec(absent)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aKeyPresentWithADeadline_breaksTheWatch_onceTheDeadlineHasPassed_byTheTransactionsTime(String name,
            EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 1000;
            s.set(b("k"), b("v"), deadline);
            try (Watch w = watch(s, "k")) {
                clock.set(deadline);
                assertCommitted(s, one(s, exec(w)));
            }
            s.set(b("k"), b("v"), deadline + 1000);
            assertThat(s.remove(b("marker"))).isTrue();
            try (Watch w = watch(s, "k")) {
                clock.set(deadline + 1001); // no write of k: its deadline alone has passed
                assertThat(s.entry(b("k"))).isNull();
                assertBroken(s, one(s, exec(w)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aKeyAlreadyPastItsDeadlineWhenWatched_isAbsent_andItsRemovalBreaksNothing(String name,
            EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 1000;
            s.set(b("k"), b("v"), deadline);
            clock.set(deadline + 1);
            try (Watch w = watch(s, "k")) {
                assertThat(one(s, Write.removeExpired(b("k"), deadline))).as("the expiry cycle's removal")
                        .isEqualTo(new Outcome.Done<>(true));
                assertCommitted(s, one(s, exec(w)));
            }
            for (Write<?> removal : List.<Write<?>>of(Write.removeExpired(b("k"), deadline), Write.remove(b("k")),
                    Write.transaction(FLUSH))) {
                s.set(b("k"), b("v"), deadline);
                assertThat(s.remove(b("marker"))).isTrue();
                try (Watch w = watch(s, "k")) {
                    Write.Txn<String> exec = exec(w);
                    s.writeAll(List.of(removal, exec)); // in one group: the removal not yet visible to readers
                    assertThat(removal.outcome()).isInstanceOf(Outcome.Done.class);
                    assertCommitted(s, exec.outcome());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aWriteEarlierInTheSameGroup_breaksTheWatch_unlessItRemovesAnAbsentKeyOrWritesAnother(String name,
            EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            try (Watch w = watch(s, "k")) {
                Write.Set other = Write.set(b("other"), b("o"));
                Write.Remove absent = Write.remove(b("k"));
                Write.Txn<String> exec = exec(w);
                s.writeAll(List.of(other, absent, exec));
                assertThat(absent.outcome()).isEqualTo(new Outcome.Done<>(false));
                assertCommitted(s, exec.outcome());
            }
            assertThat(s.remove(b("marker"))).isTrue();
            try (Watch w = watch(s, "k")) {
                Write.Set set = Write.set(b("k"), b("first"));
                Write.Txn<String> exec = exec(w);
                s.writeAll(List.of(set, exec));
                assertThat(set.outcome()).isInstanceOf(Outcome.Done.class);
                assertBroken(s, exec.outcome());
                assertThat(s.get(b("k"))).isEqualTo(b("first"));
            }
            try (Watch w = watch(s, "k")) {
                Write.Remove present = Write.remove(b("k"));
                Write.Txn<String> exec = exec(w);
                s.writeAll(List.of(present, exec));
                assertThat(present.outcome()).isEqualTo(new Outcome.Done<>(true));
                assertBroken(s, exec.outcome());
            }
            s.set(b("k"), b("v"));
            try (Watch w = watch(s, "k")) {
                Write.Txn<Long> increment = Write.transaction(TransactionTest.increment("n", 1));
                Write.Txn<Object> rewrite = Write.transaction(view -> {
                    view.set(b("k"), b("v"));
                    return null;
                });
                Write.Txn<String> exec = exec(w);
                s.writeAll(List.of(increment, rewrite, exec));
                assertThat(increment.outcome()).isEqualTo(new Outcome.Done<>(1L));
                assertBroken(s, exec.outcome());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void close_releasesTheKeys_andAClosedWatchWorksAgain_andAFailedAddHoldsNothing(String name, EngineContractTest.Opener opener) throws Exception {
        Store s = open(opener);
        try {
            assertThat(s.watches().watchedKeys()).isZero();
            Watch first = watch(s, "k", "a", "k");
            Watch second = watch(s, "k", "b");
            assertThat(first.keys()).containsExactly(b("k"), b("a"));
            assertThat(s.watches().watchedKeys()).isEqualTo(3);
            first.close();
            assertThat(first.isEmpty()).isTrue();
            assertThat(s.watches().watchedKeys()).as("k still held by the second watch").isEqualTo(2);
            first.close();
            assertThat(s.watches().watchedKeys()).as("closing twice releases nothing more").isEqualTo(2);
            s.set(b("k"), b("by another"));
            assertBroken(s, one(s, exec(second)));
            second.close();
            assertThat(s.watches().watchedKeys()).isZero();

            first.add(b("k")); // the closed watch, used again: from now on
            assertCommitted(s, one(s, exec(first)));
            first.close();
            first.add(b("k"));
            s.set(b("k"), b("by another"));
            assertThat(one(s, exec(first))).isInstanceOf(Outcome.Refused.class);
            first.close();
            assertThat(s.watches().watchedKeys()).isZero();

            s.close();
            assertThatThrownBy(() -> first.addAll(List.of(b("k"), b("a")))).isInstanceOf(IllegalStateException.class);
            assertThat(first.isEmpty()).isTrue();
            assertThat(s.watches().watchedKeys()).as("keys that could not be read are let go").isZero();
        } finally {
            s.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void watchingAThousandKeys_thenWritingOtherKeys_leavesTheWatchUnbroken(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            List<Write<?>> sets = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                sets.add(Write.set(b("w" + i), b("v" + i)));
            }
            s.writeAll(sets);
            try (Watch w = Watch.on(s)) {
                for (int i = 0; i < 500; i++) {
                    w.add(b("w" + i));
                }
                List<Bytes> more = new ArrayList<>();
                for (int i = 250; i < 1000; i++) { // half of them watched already
                    more.add(b("w" + i));
                }
                more.add(b("k"));
                w.addAll(more);
                assertThat(s.watches().watchedKeys()).isEqualTo(1001);
                for (int i = 0; i < 200; i++) {
                    s.set(b("other" + i), b("x"));
                }
                assertThat(s.remove(b("other0"))).isTrue();
                assertCommitted(s, one(s, exec(w)));
            }
            assertThat(s.watches().watchedKeys()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void counterIncrementedUnderWatchesByManyThreads_isExact(String name, EngineContractTest.Opener opener)
            throws Exception {
        int threads = 8;
        int each = 50;
        AtomicInteger broken = new AtomicInteger();
        CyclicBarrier firstReads = new CyclicBarrier(threads); // all read the first value: all but one must retry
        try (Store s = open(opener)) {
            EngineContractTest.runAll(threads, false, i -> WatchedIncrements.run(s, b("counter"), each, firstReads, broken));
            assertThat(s.get(b("counter"))).isEqualTo(b(Long.toString((long) threads * each)));
            assertThat(s.watches().watchedKeys()).isZero();
        }
        assertThat(broken.get()).as("watches broken by another thread's increment").isGreaterThanOrEqualTo(threads - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void theDeadlineNotedAtWatch_isTheKeys_andAKeyWithoutOneNeverExpiresAWatch(String name,
            EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            s.set(b("k"), b("v"));
            try (Watch w = watch(s, "k")) {
                clock.advance(3_600_000);
                assertThat(s.entry(b("k"))).isEqualTo(Entry.of(b("v")));
                assertCommitted(s, one(s, exec(w)));
            }
        }
    }
}
