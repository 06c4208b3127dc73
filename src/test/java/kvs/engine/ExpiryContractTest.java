package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.ManualClock;
import kvs.store.Store;
import kvs.store.Transaction;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys' deadlines, as the store contract promises them, over every store: both engines and a
 * one-member replicated group. Time is a {@link ManualClock} the tests move.
 */
class ExpiryContractTest {

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

    private static List<Bytes> keys(Store s) throws Exception {
        List<Bytes> keys = new ArrayList<>();
        for (Iterator<Bytes> it = s.keys(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    private static <R> R one(Store s, Write<R> w) throws Exception {
        s.writeAll(List.of(w));
        return w.outcome().get();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aKeyIsPresentUpToItsDeadline_thenAbsentToEveryRead_yetCountedUntilRemoved(String name,
            EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 1000;
            s.set(b("k"), b("v"), deadline);
            s.set(b("p"), b("forever"));
            assertThat(s.entry(b("k"))).isEqualTo(new Entry(b("v"), deadline));
            assertThat(s.entry(b("p"))).isEqualTo(Entry.of(b("forever")));
            clock.set(deadline);
            assertThat(s.get(b("k"))).as("present at its deadline").isEqualTo(b("v"));
            clock.advance(1);
            assertThat(s.get(b("k"))).isNull();
            assertThat(s.entry(b("k"))).isNull();
            assertThat(s.get("k")).isEmpty();
            assertThat(keys(s)).containsExactly(b("p"));
            assertThat(s.size()).as("stored until a write removes it").isEqualTo(2);
            assertThat(s.figures().keysWithDeadline()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void deadlinesSurviveReopen_andOneThatPassedWhileClosedIsNeverServed(String name,
            EngineContractTest.Opener opener) throws Exception {
        long soon = clock.millis() + 60_000;
        long later = clock.millis() + 3_600_000;
        try (Store s = open(opener)) {
            s.set(b("soon"), b("1"), soon);
            s.set(b("later"), b("2"), later);
            s.set(b("never"), b("3"));
        }
        clock.set(soon + 1);
        try (Store s = open(opener)) {
            assertThat(s.get(b("soon"))).isNull();
            assertThat(s.entry(b("later"))).isEqualTo(new Entry(b("2"), later));
            assertThat(s.entry(b("never"))).isEqualTo(Entry.of(b("3")));
            assertThat(keys(s)).containsExactlyInAnyOrder(b("later"), b("never"));
            assertThat(s.figures().keysWithDeadline()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aPlainSetClearsTheDeadline_aTransactionCanKeepIt(String name, EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 5000;
            s.set(b("a"), b("1"), deadline);
            s.set(b("b"), b("1"), deadline);
            s.set(b("a"), b("2"));
            s.transact(v -> {
                Entry e = v.entry(b("b"));
                v.set(b("b"), b("2"), e.deadline()); // as INCR keeps it
                return null;
            });
            assertThat(s.entry(b("a"))).isEqualTo(Entry.of(b("2")));
            assertThat(s.entry(b("b"))).isEqualTo(new Entry(b("2"), deadline));
            assertThat(s.figures().keysWithDeadline()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void removeExpired_removesOnlyAKeyThatStillHasTheDeadlineFound(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 10;
            s.set(b("gone"), b("1"), deadline);
            s.set(b("reset"), b("1"), deadline);
            s.set(b("persisted"), b("1"), deadline);
            clock.advance(11);
            s.set(b("reset"), b("2"), deadline + 1000); // set again after the cycle found it expired
            s.set(b("persisted"), b("2"));
            long expiredBefore = s.figures().expiredKeys();
            assertThat(one(s, Write.removeExpired(b("gone"), deadline))).isTrue();
            assertThat(one(s, Write.removeExpired(b("reset"), deadline))).isFalse();
            assertThat(one(s, Write.removeExpired(b("persisted"), deadline))).isFalse();
            assertThat(one(s, Write.removeExpired(b("absent"), deadline))).isFalse();
            assertThat(s.entry(b("reset"))).isEqualTo(new Entry(b("2"), deadline + 1000));
            assertThat(s.entry(b("persisted"))).isEqualTo(Entry.of(b("2")));
            assertThat(s.size()).isEqualTo(2);
            assertThat(s.figures().expiredKeys() - expiredBefore).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void writesOfAnExpiredKey_removeIt_asAbsent_andCountItExpired(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 10;
            s.set(b("removed"), b("1"), deadline);
            s.set(b("overwritten"), b("1"), deadline);
            s.set(b("inTxn"), b("1"), deadline);
            clock.advance(11);
            long expiredBefore = s.figures().expiredKeys();
            assertThat(s.remove(b("removed"))).as("it was not present").isFalse();
            s.set(b("overwritten"), b("2"));
            boolean present = s.transact(v -> v.remove(b("inTxn")));
            assertThat(present).isFalse();
            assertThat(s.size()).isEqualTo(1);
            assertThat(s.entry(b("overwritten"))).isEqualTo(Entry.of(b("2")));
            assertThat(s.figures().expiredKeys() - expiredBefore).isEqualTo(3);
            assertThat(s.figures().keysWithDeadline()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aTransactionReadsAsOfItsTime(String name, EngineContractTest.Opener opener) throws Exception {
        try (Store s = open(opener)) {
            long deadline = clock.millis() + 100;
            s.set(b("k"), b("v"), deadline);
            Transaction<List<Object>> look = v -> List.of(v.now(), v.get(b("k")) == null ? "absent" : "present");
            assertThat(one(s, Write.transaction(look, deadline))).containsExactly(deadline, "present");
            assertThat(one(s, Write.transaction(look, deadline + 1))).containsExactly(deadline + 1, "absent");
            assertThat(one(s, Write.transaction(look))).containsExactly(clock.millis(), "present");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void scanDeadlines_visitsEveryKeyWithADeadline_roundTheKeyspace(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store s = open(opener)) {
            assertThat(s.scanDeadlines(20)).isEmpty();
            List<Write<?>> writes = new ArrayList<>();
            Set<KeyDeadline> expected = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                long deadline = clock.millis() + 1000 + i;
                writes.add(Write.set(b("t" + i), b("v"), deadline));
                expected.add(new KeyDeadline(b("t" + i), deadline));
                writes.add(Write.set(b("p" + i), b("v")));
            }
            s.writeAll(writes);
            Set<KeyDeadline> seen = new HashSet<>();
            for (int call = 0; call < 1000 && !seen.containsAll(expected); call++) {
                List<KeyDeadline> found = s.scanDeadlines(20);
                assertThat(found).hasSizeLessThanOrEqualTo(20);
                seen.addAll(found);
            }
            assertThat(seen).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aDeadlineIsPositive(String name, EngineContractTest.Opener opener) throws Exception {
        assertThatThrownBy(() -> Write.set(b("k"), b("v"), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Write.removeExpired(b("k"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Entry(b("v"), -5)).isInstanceOf(IllegalArgumentException.class);
    }
}
