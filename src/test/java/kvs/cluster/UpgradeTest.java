package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.check.Ports;
import kvs.client.HostPort;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.store.Bytes;
import kvs.store.Store;
import org.awaitility.Awaitility;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data directories written by an earlier release ({@link UpgradeFixtures}, committed under
 * {@code src/test/resources/upgrade/}) open with today's code and serve every key unchanged:
 * both engines, a KvStore stopped without a clean close, and a group member's engine with its
 * Raft log and snapshots. Each test works on a copy; the fixtures are never written.
 */
class UpgradeTest {

    private static final String FORMAT_1 = "/upgrade/format-1";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "kvs-unclosed"})
    void aKvStoreDirectoryOfFormat1_servesEveryKey_andTakesNewWrites(String name) throws Exception {
        Path dir = copy(name);
        assertThat(dir.resolve("FORMAT")).as("format 1 had no FORMAT file").doesNotExist();
        try (KvStore store = KvStore.open(dir)) {
            assertHoldsTheFixture(store);
            store.set("after", "upgrade");
        }
        assertThat(dir.resolve("FORMAT")).hasContent("kvs-log 3");
        try (KvStore store = KvStore.open(dir)) {
            assertHoldsTheFixture(store);
            assertThat(store.get("after")).hasValue("upgrade");
        }
    }

    @Test
    void anMvStoreDirectoryOfFormat1_servesEveryKey_andTakesNewWrites() throws Exception {
        Path dir = copy("mvstore");
        try (MvStoreEngine engine = MvStoreEngine.open(dir)) {
            assertHoldsTheFixture(engine);
            engine.set("after", "upgrade");
        }
        try (MvStoreEngine engine = MvStoreEngine.open(dir)) {
            assertHoldsTheFixture(engine);
            assertThat(engine.get("after")).hasValue("upgrade");
        }
    }

    /** A directory of a newer format than this release reads is refused, saying so, and left as it was. */
    @Test
    void aNewerFormat_isRefused_untouched() throws Exception {
        Path kvs = copy("kvs");
        Files.writeString(kvs.resolve("FORMAT"), "kvs-log 4\n");
        Map<String, Long> before = sizes(kvs);
        assertThatThrownBy(() -> KvStore.open(kvs)).isInstanceOf(KvsException.class)
                .hasMessageContaining("KvStore format 4, newer than this release reads (3)");
        assertThat(sizes(kvs)).isEqualTo(before);

        Path mv = copy("mvstore");
        try (MvStoreEngine engine = MvStoreEngine.open(mv)) { // upgraded to format 3
            assertHoldsTheFixture(engine);
        }
        try (MVStore store = MVStore.open(mv.resolve(MvStoreEngine.FILE_NAME).toString())) {
            store.<String, Object>openMap("kvs.meta").put("format", 4);
            store.commit();
        }
        assertThatThrownBy(() -> MvStoreEngine.open(mv)).isInstanceOf(KvsException.class)
                .hasMessageContaining("MvStoreEngine format 4, newer than this release reads (3)");
    }

    private static Map<String, Long> sizes(Path dir) throws Exception {
        Map<String, Long> sizes = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().equals("LOCK")) { // the open's lock, taken first: not data
                    sizes.put(p.getFileName().toString(), Files.size(p));
                }
            }
        }
        return sizes;
    }

    /**
     * The member replays the log entries after its latest snapshot (the fixture's writes end with a
     * transaction and removes there), and a restart after a new write serves both.
     */
    @Test
    void aGroupMembersDirectoriesOfFormat1_serveEveryKey_andTakeNewWrites() throws Exception {
        Path dir = copy("member");
        ClusterConfig config = memberConfig(dir);
        try (ClusterNode node = startMember(config, dir)) {
            assertHoldsTheFixture(node);
            node.set("after", "upgrade");
        }
        try (ClusterNode node = startMember(config, dir)) {
            assertHoldsTheFixture(node);
            assertThat(node.get("after")).hasValue("upgrade");
        }
        try (KvStore engine = KvStore.open(dir.resolve("engine"))) {
            assertThat(engine.meta(KvsStateMachine.APPLIED)).as("the applied index, moved to the metadata").isNotNull();
            assertThat(engine.get(Bytes.utf8("\u0000kvs.raft.applied"))).as("where format 1 kept it").isNull();
        }
    }

    /** The member fixture's group on ports free now: its record of the members is rewritten to them. */
    private static ClusterConfig memberConfig(Path dir) throws Exception {
        InetSocketAddress raft = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        InetSocketAddress kvs = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        Member self = new Member(UpgradeFixtures.MEMBER_ID, kvs, raft);
        Files.writeString(dir.resolve("raft").resolve("members"),
                self.id() + "=" + HostPort.show(raft) + "\n");
        return new ClusterConfig(self.id(), List.of(self), UpgradeFixtures.CLUSTER_ID, Duration.ofMillis(200),
                dir.resolve("raft"), UpgradeFixtures.SNAPSHOT_EVERY, ClusterConfig.Reads.LINEARIZABLE);
    }

    private static ClusterNode startMember(ClusterConfig config, Path dir) throws Exception {
        KvStore engine = KvStore.open(dir.resolve("engine"), EngineOptions.defaults().withDurability(Durability.NEVER));
        ClusterNode node = ClusterNode.start(config, engine, UpgradeFixtures::smallLog);
        Awaitility.await("the member leads its group").atMost(Duration.ofSeconds(30)).until(node::isReadyLeader);
        return node;
    }

    /** Every key of the fixture and no other, but the one written {@code "after"} the upgrade. */
    private static void assertHoldsTheFixture(Store engine) throws Exception {
        for (Map.Entry<String, String> e : UpgradeFixtures.expected().entrySet()) {
            assertThat(engine.get(e.getKey())).as("key %s", e.getKey()).hasValue(e.getValue());
        }
        for (String k : UpgradeFixtures.removed()) {
            assertThat(engine.get(k)).as("removed key %s", k).isEmpty();
        }
        Set<String> listed = new HashSet<>();
        engine.keys().forEachRemaining(k -> listed.add(k.utf8()));
        listed.remove("after");
        assertThat(listed).as("the keys listed").isEqualTo(UpgradeFixtures.expected().keySet());
        assertThat(engine.size()).as("the keys counted").isEqualTo(listed.size() + (engine.get("after").isPresent() ? 1 : 0));
    }

    /** A copy of fixture directory {@code name}, to open and write. */
    private Path copy(String name) throws Exception {
        Path from = fixtures().resolve(name);
        Path to = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    private static Path fixtures() throws URISyntaxException {
        return Path.of(UpgradeTest.class.getResource(FORMAT_1).toURI());
    }
}
