package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.GroupWriter;
import kvs.internal.KeySpace;
import kvs.internal.Transaction;
import kvs.internal.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Transactions (atomic read-modify-writes) and key listing, with each engine and the fallback for other engines. */
class TransactionTest {

    /** An engine that has neither group writes nor transactions of its own: GroupWriter's fallback serves it. */
    private record Plain(KvsEngine inner) implements KvsEngine, KeySpace {
        @Override
        public void set(String key, String value) throws KvsException {
            inner.set(key, value);
        }

        @Override
        public Optional<String> get(String key) throws KvsException {
            return inner.get(key);
        }

        @Override
        public void remove(String key) throws KvsException {
            inner.remove(key);
        }

        @Override
        public Iterator<String> keys() {
            return KeySpace.of(inner).keys();
        }

        @Override
        public long size() {
            return KeySpace.of(inner).size();
        }

        @Override
        public void close() throws KvsException {
            inner.close();
        }
    }

    static Stream<Arguments> engines() {
        EngineContractTest.Opener plain = (dir, o) -> new Plain(KvStore.open(dir, o));
        return Stream.concat(EngineContractTest.engines(), Stream.of(Arguments.of("fallback", plain)));
    }

    @TempDir
    Path dir;

    /** Adds {@code by} to the integer under {@code key} (absent: 0); refuses a value that is not one. */
    static Transaction increment(String key, long by) {
        return view -> {
            String old = view.get(key);
            long n;
            try {
                n = old == null ? 0 : Long.parseLong(old);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer");
            }
            return List.of(Write.set(key, Long.toString(Math.addExact(n, by))));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void increments_from64Threads_withSetsAndCompaction_endExact(String name, EngineContractTest.Opener opener)
            throws Exception {
        EngineOptions options = EngineOptions.defaults().withCompactionThreshold(4096).withMaxFileSize(16 << 10);
        try (KvsEngine e = opener.open(dir, options)) {
            GroupWriter writer = GroupWriter.of(e);
            EngineContractTest.runAll(64, true, i -> {
                for (int j = 0; j < 1000; j++) {
                    List<Write> group = j % 10 == 0
                            ? List.of(Write.set("other" + i, "v" + j), Write.transaction(increment("n", 1)))
                            : List.of(Write.transaction(increment("n", 1)));
                    writer.writeAll(group);
                    for (Write w : group) {
                        assertThat(w.failure()).isNull();
                    }
                }
            });
            assertThat(e.get("n")).hasValue("64000");
            if (e instanceof KvStore k) {
                assertThat(k.compactions()).isPositive();
            }
        }
        try (KvsEngine e = opener.open(dir, options)) {
            assertThat(e.get("n")).hasValue("64000");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void transaction_seesEarlierWritesOfItsGroup_andARefusalWritesNothing(String name, EngineContractTest.Opener opener)
            throws Exception {
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults())) {
            e.set("text", "abc");
            // Set every key only if none exists (MSETNX): refused as a whole when one does.
            Transaction setAllIfNone = view -> {
                for (String k : List.of("x", "y")) {
                    if (view.get(k) != null) {
                        return List.of();
                    }
                }
                return List.of(Write.set("x", "1"), Write.set("y", "1"));
            };
            List<Write> group = List.of(Write.set("n", "41"), Write.transaction(increment("n", 1)),
                    Write.transaction(increment("text", 1)), Write.set("y", "0"), Write.transaction(setAllIfNone),
                    Write.remove("n"), Write.transaction(increment("n", 5)));
            GroupWriter.of(e).writeAll(group);
            assertThat(group).extracting(w -> w.failure() == null ? "ok" : w.failure().getMessage())
                    .containsExactly("ok", "ok", "not an integer", "ok", "ok", "ok", "ok");
            assertThat(e.get("text")).hasValue("abc");
            assertThat(e.get("x")).isEmpty();
            assertThat(e.get("y")).hasValue("0");
            assertThat(e.get("n")).hasValue("5");
            GroupWriter.of(e).writeAll(List.of(Write.transaction(increment("m", 42))));
        }
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults())) {
            assertThat(e.get("n")).hasValue("5");
            assertThat(e.get("m")).hasValue("42");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void transaction_listsKeys_andRemovesThemAll(String name, EngineContractTest.Opener opener) throws Exception {
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults())) {
            for (int i = 0; i < 100; i++) {
                e.set("k" + i, "v");
            }
            KeySpace keys = KeySpace.of(e);
            assertThat(keys.size()).isEqualTo(100);
            Set<String> listed = new TreeSet<>();
            keys.keys().forEachRemaining(listed::add);
            assertThat(listed).hasSize(100).contains("k0", "k99");
            Transaction clear = view -> {
                List<Write> removes = new ArrayList<>();
                for (String k : view.keys()) {
                    removes.add(Write.remove(k));
                }
                return removes;
            };
            List<Write> group = List.of(Write.set("late", "1"), Write.remove("k5"), Write.transaction(clear),
                    Write.set("after", "1"));
            GroupWriter.of(e).writeAll(group);
            assertThat(group).allMatch(w -> w.failure() == null);
            assertThat(keys.size()).isEqualTo(1);
            assertThat(e.get("after")).hasValue("1");
            assertThat(e.get("late")).isEmpty();
        }
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults())) {
            assertThat(KeySpace.of(e).size()).isEqualTo(1);
        }
    }
}
