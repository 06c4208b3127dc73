package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.GroupWriter;
import kvs.internal.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The KvsEngine contract, run against every engine and every durability mode where it matters. */
class EngineContractTest {

    /** Opens an engine of one kind in a directory. */
    interface Opener {
        KvsEngine open(Path dir, EngineOptions options) throws KvsException;
    }

    static Stream<Arguments> engines() {
        return Stream.of(
                Arguments.of("kvs", (Opener) KvStore::open),
                Arguments.of("mvstore", (Opener) MvStoreEngine::open));
    }

    static Stream<Arguments> enginesAndDurabilities() {
        return engines().flatMap(e -> Stream.of(Durability.values())
                .map(d -> Arguments.of(e.get()[0], e.get()[1], d)));
    }

    @TempDir
    Path dir;

    private static KvsEngine open(Opener opener, Path dir) throws KvsException {
        return opener.open(dir, EngineOptions.defaults());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void get_afterReopen_returnsLastValue(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            e.set("a", "1");
            e.set("b", "2");
            e.set("a", "3");
            assertThat(e.get("a")).hasValue("3");
        }
        try (KvsEngine e = open(opener, dir)) {
            assertThat(e.get("a")).hasValue("3");
            assertThat(e.get("b")).hasValue("2");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void get_absentKey_isEmpty(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            assertThat(e.get("missing")).isEmpty();
            e.set("present", "x");
            assertThat(e.get("missing")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void remove_absentKey_throwsKeyNotFound(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            assertThatThrownBy(() -> e.remove("missing"))
                    .isInstanceOf(KeyNotFoundException.class).hasMessage("Key not found");
            e.set("k", "v");
            e.remove("k");
            assertThatThrownBy(() -> e.remove("k")).isInstanceOf(KeyNotFoundException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void remove_survivesReopen(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            e.set("gone", "1");
            e.set("kept", "2");
            e.remove("gone");
            assertThat(e.get("gone")).isEmpty();
        }
        try (KvsEngine e = open(opener, dir)) {
            assertThat(e.get("gone")).isEmpty();
            assertThat(e.get("kept")).hasValue("2");
            assertThatThrownBy(() -> e.remove("gone")).isInstanceOf(KeyNotFoundException.class);
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("enginesAndDurabilities")
    void set_fromThousandPlatformThreads_allSurviveReopen(String name, Opener opener, Durability d)
            throws Exception {
        int threads = 1000;
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults().withDurability(d))) {
            runAll(threads, false, i -> e.set("key" + i, "value" + i));
        }
        try (KvsEngine e = open(opener, dir)) {
            for (int i = 0; i < threads; i++) {
                assertThat(e.get("key" + i)).hasValue("value" + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void get_fromHundredThreads_beforeAndAfterReopen(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            for (int i = 0; i < 100; i++) {
                e.set("key" + i, "value" + i);
            }
            readAll(e);
        }
        try (KvsEngine e = open(opener, dir)) {
            readAll(e);
        }
    }

    private static void readAll(KvsEngine e) throws Exception {
        runAll(100, false, t -> {
            for (int i = 0; i < 100; i++) {
                int k = (t + i) % 100;
                if (!e.get("key" + k).equals(Optional.of("value" + k))) {
                    throw new AssertionError("wrong value for key" + k);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void setAndGet_fromTenThousandVirtualThreads(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            runAll(10_000, true, i -> {
                e.set("vkey" + i, "vvalue" + i);
                if (!e.get("vkey" + i).equals(Optional.of("vvalue" + i))) {
                    throw new AssertionError("did not read back vkey" + i);
                }
            });
        }
        try (KvsEngine e = open(opener, dir)) {
            for (int i = 0; i < 10_000; i += 97) {
                assertThat(e.get("vkey" + i)).hasValue("vvalue" + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void set_emptyUnicodeAndLargeValues_roundTrip(String name, Opener opener) throws Exception {
        String big = "x".repeat(1 << 20);
        String unicode = "ключ-κλειδί-鍵-🔑";
        try (KvsEngine e = open(opener, dir)) {
            e.set("", "empty key");
            e.set("empty value", "");
            e.set(unicode, "значение-🎉-\u0000-tab\t");
            e.set("big", big);
            assertThat(e.get("")).hasValue("empty key");
            assertThat(e.get("empty value")).hasValue("");
        }
        try (KvsEngine e = open(opener, dir)) {
            assertThat(e.get("")).hasValue("empty key");
            assertThat(e.get("empty value")).hasValue("");
            assertThat(e.get(unicode)).hasValue("значение-🎉-\u0000-tab\t");
            assertThat(e.get("big")).hasValue(big);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void set_unpairedSurrogate_isRefusedNotAltered(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            assertThatThrownBy(() -> e.set("k", "bad\uD800"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
            assertThat(e.get("k")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("enginesAndDurabilities")
    void writeAll_appliesInOrder_recordsEachOutcome_andSurvivesReopen(String name, Opener opener, Durability d)
            throws Exception {
        List<Write> writes = List.of(Write.set("a", "1"), Write.remove("b"), Write.set("a", "2"), Write.remove("a"),
                Write.set("c", "\uD800"), Write.set("b", "3"), Write.remove("b"), Write.set("d", "4"));
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults().withDurability(d))) {
            GroupWriter.of(e).writeAll(writes);
            assertThat(writes).extracting(w -> w.failure() == null ? "ok" : w.failure().getClass().getSimpleName())
                    .containsExactly("ok", "KeyNotFoundException", "ok", "ok", "IllegalArgumentException",
                            "ok", "ok", "ok");
            assertThat(e.get("a")).isEmpty();
            assertThat(e.get("b")).isEmpty();
            assertThat(e.get("c")).isEmpty();
            assertThat(e.get("d")).hasValue("4");
            GroupWriter.of(e).writeAll(List.of()); // nothing to do
        }
        try (KvsEngine e = opener.open(dir, EngineOptions.defaults().withDurability(d))) {
            assertThat(e.get("a")).isEmpty();
            assertThat(e.get("b")).isEmpty();
            assertThat(e.get("d")).hasValue("4");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void useAfterClose_isIllegalState(String name, Opener opener) throws Exception {
        KvsEngine e = open(opener, dir);
        e.set("k", "v");
        e.close();
        e.close(); // idempotent
        assertThatThrownBy(() -> e.get("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> e.set("k", "v")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> e.remove("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> GroupWriter.of(e).writeAll(List.of(Write.set("k", "v"))))
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void open_lockedDirectory_failsAtOnce(String name, Opener opener) throws Exception {
        try (KvsEngine e = open(opener, dir)) {
            assertThatThrownBy(() -> open(opener, dir)).isInstanceOf(KvsException.class)
                    .hasMessageContaining("locked");
            e.set("still", "usable");
            assertThat(e.get("still")).hasValue("usable");
        }
        try (KvsEngine e = open(opener, dir)) {
            assertThat(e.get("still")).hasValue("usable");
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("enginesAndDurabilities")
    void everyDurability_keepsAckedWritesAcrossCloseAndReopen(String name, Opener opener, Durability d)
            throws Exception {
        EngineOptions options = EngineOptions.defaults().withDurability(d);
        try (KvsEngine e = opener.open(dir, options)) {
            for (int i = 0; i < 200; i++) {
                e.set("k" + i, "v" + i);
            }
            e.remove("k7");
        }
        try (KvsEngine e = opener.open(dir, options)) {
            assertThat(e.get("k7")).isEmpty();
            assertThat(e.get("k199")).hasValue("v199");
            e.set("k7", "back");
        }
        try (KvsEngine e = opener.open(dir, options)) {
            assertThat(e.get("k7")).hasValue("back");
        }
    }

    /** Work for thread {@code i}. */
    interface Job {
        void run(int i) throws Exception;
    }

    /** Runs {@code n} threads released together and rethrows the first failure. */
    static void runAll(int n, boolean virtual, Job job) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            Runnable r = () -> {
                try {
                    start.await();
                    job.run(id);
                } catch (Throwable t) {
                    failures.add(t);
                }
            };
            threads.add(virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().start(r));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " of " + n + " threads failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
