package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.check.Ports;
import kvs.cluster.ClusterConfig;
import kvs.cluster.ClusterNode;
import kvs.cluster.Member;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The KvsEngine contract, run against every engine, a one-member replicated group over KvStore, and every durability mode where it matters. */
class EngineContractTest {

    /** Opens an engine of one kind in a directory. */
    interface Opener {
        Store open(Path dir, EngineOptions options) throws KvsException;
    }

    static Stream<Arguments> engines() {
        return Stream.of(
                Arguments.of("kvs", (Opener) KvStore::open),
                Arguments.of("mvstore", (Opener) MvStoreEngine::open),
                // Over KvStore only: each open and close of a member costs ~1.3 s (Ratis's close alone ~1 s),
                // so a second member engine would add about 50 s to the class.
                Arguments.of("member", new MemberOpener(KvStore::open)));
    }

    /**
     * A one-member replicated group ({@link ClusterNode}) over an engine: the engine in
     * {@code dir/engine}, the Raft log in {@code dir/raft}, its Raft server on a loopback port of
     * {@link Ports}; returned once it leads and serves writes. Closing it stops the Raft server
     * and closes the engine.
     */
    static final class MemberOpener implements Opener {
        private final Opener engine;
        /**
         * The member of each directory: its Raft address is part of the group stored under it
         * ({@code raft/members}, and Ratis's configuration in its log), so a reopen binds the same
         * port. That port is below the kernel's ephemeral range and given once per JVM
         * ({@link Ports}), and a lone member has no peer connections on it, so it is free again
         * once the previous open's Raft server is closed.
         */
        private final Map<Path, Member> members = new ConcurrentHashMap<>();

        MemberOpener(Opener engine) {
            this.engine = engine;
        }

        @Override
        public Store open(Path dir, EngineOptions options) throws KvsException {
            Member self = members.get(dir);
            if (self == null) {
                try {
                    self = new Member("m1", loopback(Ports.free()), loopback(Ports.free()));
                } catch (IOException e) {
                    throw new KvsException("no free loopback port: " + e.getMessage(), e);
                }
                members.put(dir, self);
            }
            // The engine first: a directory open elsewhere fails here, before a Raft server is started.
            // A member removes keys only as its log says: its engine's compaction keeps expired ones.
            Store store = engine.open(dir.resolve("engine"), options.withCompactionExpires(false));
            ClusterConfig config = new ClusterConfig(self.id(), List.of(self), "contract", Duration.ofMillis(100),
                    dir.resolve("raft"));
            ClusterNode node;
            try {
                node = ClusterNode.start(config, store); // closes the engine if it cannot start
            } catch (IOException e) {
                throw new KvsException(e.getMessage(), e);
            }
            try {
                await("a one-member group that leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(node::isReadyLeader);
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
            return node;
        }

        private static InetSocketAddress loopback(int port) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
    }

    static Stream<Arguments> enginesAndDurabilities() {
        return engines().flatMap(e -> Stream.of(Durability.values())
                .map(d -> Arguments.of(e.get()[0], e.get()[1], d)));
    }

    @TempDir
    Path dir;

    private static Store open(Opener opener, Path dir) throws KvsException {
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
        List<Write<?>> writes = List.of(Write.set(b("a"), b("1")), Write.remove(b("b")), Write.set(b("a"), b("2")),
                Write.remove(b("a")), Write.set(b("c"), Bytes.wrap(new byte[] {(byte) 0xFF, 0})), Write.set(b("b"), b("3")),
                Write.remove(b("b")), Write.set(b("d"), b("4")));
        try (Store e = opener.open(dir, EngineOptions.defaults().withDurability(d))) {
            e.writeAll(writes);
            assertThat(writes).<Outcome<?>>extracting(Write::outcome).containsExactly(Outcome.done(), Outcome.removed(false),
                    Outcome.done(), Outcome.removed(true), Outcome.done(), Outcome.done(), Outcome.removed(true),
                    Outcome.done());
            assertThat(e.get("a")).isEmpty();
            assertThat(e.get("b")).isEmpty();
            assertThat(e.get(b("c"))).isEqualTo(Bytes.wrap(new byte[] {(byte) 0xFF, 0}));
            assertThat(e.get("d")).hasValue("4");
            e.writeAll(List.of()); // nothing to do
        }
        try (Store e = opener.open(dir, EngineOptions.defaults().withDurability(d))) {
            assertThat(e.get("a")).isEmpty();
            assertThat(e.get("b")).isEmpty();
            assertThat(e.get("d")).hasValue("4");
        }
    }

    /**
     * Keys and values of any bytes: every byte value, invalid UTF-8, NUL inside, empty, large; they
     * read back unchanged, before and after a reopen, and the String view refuses to mangle a value
     * that is not text.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void binaryKeysAndValues_roundTripUnchanged_andSurviveReopen(String name, Opener opener) throws Exception {
        java.util.Random random = new java.util.Random(28);
        java.util.Map<Bytes, Bytes> pairs = new java.util.LinkedHashMap<>();
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
            pairs.put(Bytes.wrap(new byte[] {(byte) i}), Bytes.wrap(new byte[] {(byte) (255 - i), (byte) i}));
        }
        pairs.put(Bytes.wrap(all), Bytes.wrap(all.clone()));
        pairs.put(Bytes.EMPTY, b("the empty key"));
        pairs.put(b("empty value"), Bytes.EMPTY);
        pairs.put(Bytes.wrap(new byte[] {'a', 0, 'b'}), Bytes.wrap(new byte[] {0, 0, 0}));
        pairs.put(Bytes.wrap(new byte[] {(byte) 0xC3, (byte) 0x28}), Bytes.wrap(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        byte[] large = new byte[1 << 20];
        random.nextBytes(large);
        pairs.put(b("large"), Bytes.wrap(large));
        for (int i = 0; i < 200; i++) {
            byte[] k = new byte[1 + random.nextInt(40)];
            byte[] v = new byte[random.nextInt(300)];
            random.nextBytes(k);
            random.nextBytes(v);
            pairs.put(Bytes.wrap(k), Bytes.wrap(v));
        }
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            for (java.util.Map.Entry<Bytes, Bytes> p : pairs.entrySet()) {
                e.set(p.getKey(), p.getValue());
            }
            for (java.util.Map.Entry<Bytes, Bytes> p : pairs.entrySet()) {
                assertThat(e.get(p.getKey())).as("key %s", p.getKey()).isEqualTo(p.getValue());
            }
            assertThat(e.size()).isEqualTo(pairs.size());
            e.set(b("text key"), Bytes.wrap(new byte[] {(byte) 0xFF}));
            assertThatThrownBy(() -> e.get("text key")).isInstanceOf(KvsException.class).hasMessageContaining("get(Bytes)");
        }
        try (Store e = opener.open(dir, EngineOptions.defaults())) {
            for (java.util.Map.Entry<Bytes, Bytes> p : pairs.entrySet()) {
                assertThat(e.get(p.getKey())).as("key %s", p.getKey()).isEqualTo(p.getValue());
            }
            java.util.Set<Bytes> listed = new java.util.HashSet<>();
            e.keys().forEachRemaining(listed::add);
            assertThat(listed).containsAll(pairs.keySet());
        }
    }

    private static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void useAfterClose_isIllegalState(String name, Opener opener) throws Exception {
        Store e = open(opener, dir);
        e.set("k", "v");
        e.close();
        e.close(); // idempotent
        assertThatThrownBy(() -> e.get("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> e.set("k", "v")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> e.remove("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> e.writeAll(List.of(Write.set(b("k"), b("v")))))
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
