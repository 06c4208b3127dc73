package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import kvs.KvsException;
import kvs.MovedException;
import kvs.NotLeaderException;
import kvs.UnknownOutcomeException;
import kvs.client.HostPort;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.store.Bytes;
import kvs.store.Refusal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded cluster grows by a process and a shard while a client writes (docs/CLUSTER.md, "Adding
 * a shard"): three founding processes of three shards in one JVM, on loopback, and a fourth that
 * joins; the shard added over it and two founders is led by it, rebalancing moves a quarter of
 * the slots to it, and every acknowledged write is read back after, through whichever process
 * serves its slot, before and after the fourth process restarts.
 */
class ShardedScaleOutTest {

    @TempDir
    Path dir;

    private final List<Member> founders = new ArrayList<>();
    private Member fourth;
    private final ShardedNode[] processes = new ShardedNode[4];

    @BeforeEach
    void startThreeAndAFourthThatJoins() throws Exception {
        for (int i = 0; i < 3; i++) {
            founders.add(new Member("n" + (i + 1), LocalGroup.freePort(), LocalGroup.freePort(), LocalGroup.freePort()));
        }
        fourth = new Member("n4", LocalGroup.freePort(), LocalGroup.freePort(), LocalGroup.freePort());
        for (int i = 0; i < 3; i++) {
            processes[i] = start(i);
        }
        processes[3] = start(3);
    }

    @AfterEach
    void stopAll() throws KvsException {
        for (int i = 0; i < 4; i++) {
            if (processes[i] != null) {
                processes[i].close();
                processes[i] = null;
            }
        }
    }

    private ShardedNode start(int i) throws Exception {
        Path data = dir.resolve("n" + (i + 1));
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.NEVER).withCompactionExpires(false);
        ShardEngineDirs engines = new ShardEngineDirs(data.resolve("shards"), options, KvStore::open);
        if (i < 3) {
            return ShardedNode.start(new ClusterConfig("n" + (i + 1), founders, "grow", Duration.ofMillis(500), data.resolve("raft")),
                    3, engines);
        }
        List<Member> all = new ArrayList<>(founders);
        all.add(fourth);
        return ShardedNode.join(new ClusterConfig("n4", all, "grow", Duration.ofMillis(500), data.resolve("raft")), 3, engines);
    }

    /** Runs {@code op} on the process that serves {@code key}'s slot, following redirections from the first process. */
    private <R> R routed(Bytes key, Op<R> op) throws KvsException {
        ShardedNode at = processes[0];
        for (int hop = 0; ; hop++) {
            try {
                return op.run(at);
            } catch (MovedException | NotLeaderException e) { // as a client follows them (a shard's leader may change)
                if (hop == 20) {
                    throw e;
                }
                if (hop >= 3) { // as a client refreshes its map after a few: a process may not have learned a move yet
                    LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                }
                at = byAddress(e instanceof MovedException m ? m.address() : ((NotLeaderException) e).leader().orElse(""));
                if (at == null) { // the process it names is stopped
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                    at = processes[0];
                }
            }
        }
    }

    @FunctionalInterface
    private interface Op<R> {
        R run(ShardedNode node) throws KvsException;
    }

    private ShardedNode byAddress(String kvs) {
        for (ShardedNode p : processes) {
            if (p != null && HostPort.show(p.address()).equals(kvs)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void aFourthProcessAndShardAreAddedAndRebalancedWhileAClientWrites() throws Exception {
        Map<Bytes, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            for (long seq = 1; !stop.get(); seq++) {
                Bytes key = Bytes.utf8("key:" + seq % 2000);
                Bytes value = Bytes.utf8(Long.toString(seq));
                try {
                    routed(key, p -> {
                        p.set(key, value);
                        return null;
                    });
                    acked.put(key, seq);
                } catch (UnknownOutcomeException e) {
                    acked.remove(key); // either value may be there
                    failures.incrementAndGet();
                } catch (KvsException | RuntimeException e) {
                    acked.remove(key);
                    unexpected.add(e);
                }
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 1000);

        assertThatThrownBy(() -> processes[0].addShard(List.of("n4", "n1", "n2")))
                .isInstanceOf(Refusal.class).hasMessageContaining("no process 'n4'");
        assertThatThrownBy(() -> processes[0].addShard(List.of(fourth.spec(), "n1")))
                .isInstanceOf(Refusal.class).hasMessageContaining("3 or 5 members");
        assertThat(processes[1].addShard(List.of(fourth.spec(), "n1", "n2"))).isEqualTo(3);
        await("shard 3 led by n4, its preferred member").atMost(Duration.ofSeconds(60))
                .until(() -> processes[3].shard(3) != null && processes[3].shard(3).isReadyLeader());
        for (int i = 0; i < 4; i++) {
            int p = i;
            await().atMost(Duration.ofSeconds(30)).until(() -> processes[p].shardCount() == 4);
        }
        assertThat(processes[2].shard(3)).as("n3 is not a member of shard 3").isNull();
        assertThat(processes[3].shard(0)).as("n4 is a member of shard 3 only").isNull();

        assertThat(processes[3].rebalance()).as("slots moved: 1365, 1366 and 1365 of shards 0, 1 and 2").isEqualTo(HashSlot.SLOTS / 4);
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 1500);
        stop.set(true);
        writer.join();
        assertThat(unexpected).isEmpty();

        for (ShardedNode p : processes) {
            await().atMost(Duration.ofSeconds(30)).until(() -> p.slots().epoch() == processes[0].slots().epoch());
            SlotMap map = p.slots();
            for (int s = 0; s < 4; s++) {
                int shard = s;
                assertThat(map.ranges(s).stream().mapToInt(SlotMap.Range::size).sum()).as("shard %d's slots", shard)
                        .isEqualTo(HashSlot.SLOTS / 4);
            }
        }
        assertAcknowledged(acked);

        Bytes ofShard3 = keyOwnedBy(3);
        routed(ofShard3, p -> {
            p.set(ofShard3, Bytes.utf8("on n4"));
            return null;
        });
        assertThat(processes[3].get(ofShard3)).isEqualTo(Bytes.utf8("on n4"));
        assertThatThrownBy(() -> processes[2].get(ofShard3)).isInstanceOfSatisfying(MovedException.class,
                e -> assertThat(e.address()).isEqualTo(HostPort.show(fourth.kvs())));

        assertShardMetrics();

        processes[3].close(); // n1 or n2 leads shard 3 next, and n3 (not its member) learns which
        processes[3] = null;
        await("n3 redirects shard 3's slots to its new leader").atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                processes[2].get(ofShard3);
                return false;
            } catch (MovedException e) {
                return !e.address().equals(HostPort.show(fourth.kvs()));
            }
        });
        Bytes read = routed(ofShard3, p -> p.get(ofShard3));
        assertThat(read).isEqualTo(Bytes.utf8("on n4"));
        processes[3] = start(3);
        await("n4 leads shard 3 again").atMost(Duration.ofSeconds(60))
                .until(() -> processes[3].shard(3) != null && processes[3].shard(3).isReadyLeader());
        assertThat(processes[3].get(ofShard3)).isEqualTo(Bytes.utf8("on n4"));
        assertAcknowledged(acked);
    }

    /** n3's /metrics: each shard's slots, and the figures of the shards it is a member of (not shard 3). */
    private void assertShardMetrics() throws Exception {
        kvs.metrics.Metrics metrics = new kvs.metrics.Metrics();
        java.net.InetSocketAddress any = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        try (kvs.server.KvsServer server = kvs.server.KvsServer.start(processes[2], new kvs.pool.VirtualThreadPool(1),
                List.of(new kvs.server.KvsServer.Listener(any, kvs.protocol.server.KvsProtocol.INSTANCE)),
                kvs.server.KvsServer.Options.defaults().withObserver(metrics))) {
            metrics.serve(any, server.stats(), kvs.security.Access.defaults());
            java.net.http.HttpResponse<String> scraped = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.body()).contains("kvs_shard_slots{shard=\"0\"} 4096.0", "kvs_shard_slots{shard=\"3\"} 4096.0",
                    "kvs_shard_leader{shard=\"2\"} ", "kvs_shard_leader{shard=\"0\"} ", "kvs_shard_keys{shard=\"1\"} ")
                    .doesNotContain("kvs_shard_keys{shard=\"3\"}", "kvs_shard_leader{shard=\"3\"}");
        } finally {
            metrics.close();
        }
    }

    private void assertAcknowledged(Map<Bytes, Long> acked) throws KvsException {
        for (Map.Entry<Bytes, Long> e : acked.entrySet()) {
            Bytes value = routed(e.getKey(), p -> p.get(e.getKey()));
            assertThat(value).as("%s", e.getKey()).isEqualTo(Bytes.utf8(Long.toString(e.getValue())));
        }
    }

    private Bytes keyOwnedBy(int shard) {
        SlotMap map = processes[0].slots();
        for (int i = 0; ; i++) {
            Bytes k = Bytes.utf8("other:" + i);
            if (map.owner(HashSlot.of(k)) == shard) {
                return k;
            }
        }
    }
}
