package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.Transaction;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Transactions (atomic read-modify-writes that return a result) and key listing, with each engine. */
class TransactionTest {

    static Stream<Arguments> engines() {
        return EngineContractTest.engines();
    }

    @TempDir
    Path dir;

    static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    /** Adds {@code by} to the integer under {@code key} (absent: 0) and returns the sum; refuses a value that is not one. */
    static Transaction<Long> increment(String key, long by) {
        return view -> {
            Bytes old = view.get(b(key));
            long n;
            try {
                n = old == null ? 0 : Long.parseLong(old.utf8());
            } catch (NumberFormatException e) {
                throw new Refusal("not an integer");
            }
            long sum = Math.addExact(n, by);
            view.set(b(key), b(Long.toString(sum)));
            return sum;
        };
    }

    /** What each write of a group came to: its result, or its refusal's message. */
    private static List<Object> outcomes(List<? extends Write<?>> group) {
        return group.stream().<Object>map(w -> switch (w.outcome()) {
            case Outcome.Done<?> d -> d.value() == null ? "ok" : d.value();
            case Outcome.Refused<?> r -> r.refusal().getMessage();
            case Outcome.Failed<?> f -> f.cause();
        }).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void increments_from64Threads_withSetsAndCompaction_endExact(String name, EngineContractTest.Opener opener)
            throws Exception {
        EngineOptions options = EngineOptions.defaults().withCompactionThreshold(4096).withMaxFileSize(16 << 10);
        try (Store e = opener.open(dir, options)) {
            EngineContractTest.runAll(64, true, i -> {
                for (int j = 0; j < 1000; j++) {
                    List<Write<?>> group = j % 10 == 0
                            ? List.of(Write.set(b("other" + i), b("v" + j)), Write.transaction(increment("n", 1)))
                            : List.of(Write.transaction(increment("n", 1)));
                    e.writeAll(group);
                    for (Write<?> w : group) {
                        assertThat(w.outcome()).isInstanceOf(Outcome.Done.class);
                    }
                }
            });
            assertThat(e.get("n")).hasValue("64000");
            if (e instanceof KvStore k) {
                assertThat(k.compactions()).isPositive();
            }
        }
        try (Store e = opener.open(dir, options)) {
            assertThat(e.get("n")).hasValue("64000");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void transaction_seesEarlierWritesOfItsGroup_andARefusalWritesNothing(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            e.set("text", "abc");
            // Set every key only if none exists (MSETNX): nothing written when one does.
            Transaction<Boolean> setAllIfNone = view -> {
                for (String k : List.of("x", "y")) {
                    if (view.get(b(k)) != null) {
                        return false;
                    }
                }
                view.set(b("x"), b("1"));
                view.set(b("y"), b("1"));
                return true;
            };
            List<Write<?>> group = List.of(Write.set(b("n"), b("41")), Write.transaction(increment("n", 1)),
                    Write.transaction(increment("text", 1)), Write.set(b("y"), b("0")), Write.transaction(setAllIfNone),
                    Write.remove(b("n")), Write.transaction(increment("n", 5)), Write.remove(b("absent")));
            e.writeAll(group);
            assertThat(outcomes(group)).containsExactly("ok", 42L, "not an integer", "ok", false, true, 5L, false);
            assertThat(e.get("text")).hasValue("abc");
            assertThat(e.get("x")).isEmpty();
            assertThat(e.get("y")).hasValue("0");
            assertThat(e.get("n")).hasValue("5");
            assertThat(e.transact(increment("m", 42))).isEqualTo(42L);
        }
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            assertThat(e.get("n")).hasValue("5");
            assertThat(e.get("m")).hasValue("42");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void transaction_listsKeys_andRemovesThemAll(String name, EngineContractTest.Opener opener) throws Exception {
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            for (int i = 0; i < 100; i++) {
                e.set("k" + i, "v");
            }
            assertThat(e.size()).isEqualTo(100);
            Set<String> listed = new TreeSet<>();
            e.keys().forEachRemaining(k -> listed.add(k.utf8()));
            assertThat(listed).hasSize(100).contains("k0", "k99");
            Transaction<Integer> clear = view -> {
                int n = 0;
                for (Bytes k : view.keys()) {
                    n += view.remove(k) ? 1 : 0;
                }
                return n;
            };
            List<Write<?>> group = List.of(Write.set(b("late"), b("1")), Write.remove(b("k5")), Write.transaction(clear),
                    Write.set(b("after"), b("1")));
            e.writeAll(group);
            assertThat(outcomes(group)).containsExactly("ok", true, 100, "ok");
            assertThat(e.size()).isEqualTo(1);
            assertThat(e.get("after")).hasValue("1");
            assertThat(e.get("late")).isEmpty();
        }
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            assertThat(e.size()).isEqualTo(1);
        }
    }
}
