package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import kvs.KvsException;
import kvs.MovedException;
import kvs.client.HostPort;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.slots.Topology;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.Watch;
import kvs.store.WatchBroken;
import kvs.store.Watches;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three processes of a sharded cluster of three shards in one JVM, on loopback (docs/CLUSTER.md,
 * "Sharded mode"): each shard's first leader is its preferred member; each process serves the slots
 * of the shards it leads and redirects the others to their leader; each shard's engines hold only
 * its slots' keys; and the cluster comes back whole after every process restarts. Over KvStore
 * shards; over MvStoreEngine ones in {@link ShardedNodeMvStoreTest}.
 */
class ShardedNodeTest {

    private static final int SHARDS = 3;

    @TempDir
    Path dir;

    private final List<Member> members = new ArrayList<>();
    private final ShardedNode[] processes = new ShardedNode[3];

    @BeforeEach
    void startThree() throws Exception {
        for (int i = 0; i < 3; i++) {
            members.add(new Member("n" + (i + 1), LocalGroup.freePort(), LocalGroup.freePort(), LocalGroup.freePort()));
        }
        for (int i = 0; i < 3; i++) {
            processes[i] = start(i, SHARDS);
        }
        awaitPreferredLeaders();
    }

    @AfterEach
    void stopAll() throws KvsException {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
    }

    private ShardedNode start(int i, int shards) throws IOException, KvsException {
        Path data = dir.resolve("n" + (i + 1));
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.NEVER).withCompactionExpires(false)
                .withWatches(new Watches());
        List<Store> engines = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            engines.add(open(data.resolve("shards").resolve(Integer.toString(s)), options));
        }
        ClusterConfig config = new ClusterConfig("n" + (i + 1), members, "test", Duration.ofMillis(500), data.resolve("raft"));
        return ShardedNode.start(config, engines);
    }

    /** A shard's engine: KvStore here, MvStoreEngine in {@link ShardedNodeMvStoreTest}. */
    Store open(Path dir, EngineOptions options) throws KvsException {
        return KvStore.open(dir, options);
    }

    private void stop(int i) throws KvsException {
        if (processes[i] != null) {
            processes[i].close();
            processes[i] = null;
        }
    }

    /**
     * Waits until shard {@code s} is led by member {@code s}, the member its priority prefers, serving
     * writes, and every process knows it (a process that knows no leader yet would not redirect).
     */
    private void awaitPreferredLeaders() {
        await("each shard led by its preferred member").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    for (int s = 0; s < SHARDS; s++) {
                        if (!processes[s].shard(s).isReadyLeader()) {
                            return false;
                        }
                        for (ShardedNode p : processes) {
                            Member leader = p.shard(s).leader();
                            if (leader == null || !leader.id().equals("n" + (s + 1))) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    /** A key of {@code shard}, slots split evenly ({@link SlotMap#even}). */
    private static Bytes keyOf(int shard, int n) {
        SlotMap map = SlotMap.even(SHARDS);
        for (int i = n; ; i++) {
            Bytes k = b("key:" + i);
            if (map.owner(HashSlot.of(k)) == shard) {
                return k;
            }
        }
    }

    @Test
    void eachProcessServesTheSlotsOfTheShardItLeadsAndRedirectsTheOthers() throws Exception {
        Bytes bar = b("bar"); // slot 5061: shard 0, led by n1
        Bytes foo = b("foo"); // slot 12182: shard 2, led by n3
        processes[0].set(bar, b("1"));
        assertThat(processes[0].get(bar)).isEqualTo(b("1"));
        assertThat(processes[0].forSlot(5061)).isSameAs(processes[0].shard(0));

        assertThatThrownBy(() -> processes[0].get(foo)).isInstanceOfSatisfying(MovedException.class, e -> {
            assertThat(e.slot()).isEqualTo(12182);
            assertThat(e.address()).isEqualTo(HostPort.show(members.get(2).kvs()));
            assertThat(e.respAddress()).isEqualTo(HostPort.show(members.get(2).resp()));
        });
        Write.Set moved = Write.set(foo, b("2"));
        processes[0].writeAll(List.of(moved));
        assertThat(moved.outcome()).isInstanceOf(Outcome.Failed.class);
        assertThatThrownBy(() -> moved.outcome().get()).isInstanceOf(MovedException.class);

        processes[2].set(foo, b("2"));
        assertThat(processes[2].get(foo)).isEqualTo(b("2"));
        assertThatThrownBy(() -> processes[1].get(foo)).isInstanceOf(MovedException.class);
    }

    @Test
    void keysOfSeveralSlotsAreRefusedTogether() {
        assertThatThrownBy(() -> processes[0].getAll(List.of(b("bar"), b("hello")))) // 5061 and 866: one shard, two slots
                .isInstanceOf(Refusal.class).hasMessageContaining("one slot");
        assertThatThrownBy(() -> processes[0].getAll(List.of(b("{user1000}.a"), b("foo"))))
                .isInstanceOf(Refusal.class);
    }

    @Test
    void aShardsKeysLiveOnlyInItsEnginesAndEachProcessListsTheShardItLeads() throws Exception {
        Set<Bytes> written = new HashSet<>();
        for (int s = 0; s < SHARDS; s++) {
            for (int n = 0; n < 20; n++) {
                Bytes k = keyOf(s, 1000 * s + 37 * n);
                processes[s].set(k, b("v"));
                written.add(k);
            }
        }
        for (int p = 0; p < 3; p++) {
            Set<Bytes> listed = new HashSet<>();
            for (Iterator<Bytes> it = processes[p].keys(); it.hasNext(); ) {
                Bytes k = it.next();
                assertThat(SlotMap.even(SHARDS).owner(HashSlot.of(k))).as("process %d lists only its shard's keys", p).isEqualTo(p);
                listed.add(k);
            }
            assertThat(listed).hasSize(20);
            assertThat(processes[p].size()).isEqualTo(20);
        }
        // every member of each shard holds that shard's keys, and only those, once it has applied them
        for (int p = 0; p < 3; p++) {
            for (int s = 0; s < SHARDS; s++) {
                ClusterNode member = processes[p].shard(s);
                await().atMost(Duration.ofSeconds(30)).until(() -> member.figures().keys() == 20);
            }
        }
    }

    @Test
    void aWatchOfAProcessIsBrokenByAWriteOfItsKeyThroughThatProcess() throws Exception {
        Bytes k = b("bar");
        try (Watch watch = Watch.on(processes[0])) {
            watch.add(k);
            processes[0].set(k, b("changed"));
            Write.Txn<String> txn = Write.transaction(view -> {
                view.set(k, b("mine"));
                return "ran";
            }, watch);
            processes[0].forSlot(HashSlot.of(k)).writeAll(List.of(txn));
            assertThat(txn.outcome()).isInstanceOfSatisfying(Outcome.Refused.class,
                    r -> assertThat(r.refusal()).isInstanceOf(WatchBroken.class));
        }
        assertThat(processes[0].get(k)).isEqualTo(b("changed"));
    }

    @Test
    void theTopologyNamesEachShardsLeaderAndEveryProcess() {
        Topology t = processes[1];
        assertThat(t.nodes()).hasSize(3);
        assertThat(t.self().port()).isEqualTo(members.get(1).resp().getPort());
        assertThat(t.self().id()).matches("[0-9a-f]{40}").isEqualTo(processes[0].nodes().get(1).id());
        for (int s = 0; s < SHARDS; s++) {
            assertThat(t.server(s).port()).isEqualTo(members.get(s).resp().getPort());
        }
        assertThat(t.allServed()).isTrue();
        assertThat(t.slots()).isEqualTo(SlotMap.even(SHARDS));

        List<kvs.store.ShardStatus> shards = processes[1].figures().shards();
        assertThat(shards).extracting(kvs.store.ShardStatus::slots).containsExactly("0-5460", "5461-10922", "10923-16383");
        assertThat(shards).extracting(s -> s.member().role()).containsExactly("follower", "leader", "follower");
        assertThat(shards).extracting(s -> s.member().leader()).containsExactly("n1", "n2", "n3");
    }

    @Test
    void everyProcessRestartsWithItsShardsAndTheirKeys() throws Exception {
        for (int s = 0; s < SHARDS; s++) {
            processes[s].set(keyOf(s, 0), b("kept-" + s));
        }
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
        for (int i = 0; i < 3; i++) {
            processes[i] = start(i, SHARDS);
        }
        awaitPreferredLeaders();
        for (int s = 0; s < SHARDS; s++) {
            assertThat(processes[s].get(keyOf(s, 0))).isEqualTo(b("kept-" + s));
        }
    }

    /**
     * The slot map is the metadata group's: a change made through any process (here one that
     * leads no shard of the slots it moves) reaches every process, routing follows it, a change
     * made on an older map is refused, and a restarted process learns the map from the group.
     */
    @Test
    void theSlotMapIsReplicatedAndRoutingFollowsIt() throws Exception {
        SlotMap.Range range = new SlotMap.Range(100, 199); // shard 0's slots, which hold no key here
        assertThat(processes[2].assign(1, range, 1)).isEqualTo(2);
        await("every process at epoch 2").atMost(Duration.ofSeconds(30)).until(() ->
                Arrays.stream(processes).allMatch(p -> p.slots().epoch() == 2));
        for (ShardedNode p : processes) {
            assertThat(p.slots().owner(150)).isEqualTo(1);
            assertThat(p.slots().owner(99)).isZero();
            assertThat(p.slots().ranges(0)).containsExactly(new SlotMap.Range(0, 99), new SlotMap.Range(200, 5460));
        }
        Bytes key = keyInSlots(range);
        processes[1].set(key, b("on shard 1"));
        assertThatThrownBy(() -> processes[0].get(key)).isInstanceOf(MovedException.class);
        assertThat(processes[1].get(key)).isEqualTo(b("on shard 1"));

        assertThatThrownBy(() -> processes[0].assign(1, new SlotMap.Range(300, 300), 2))
                .isInstanceOf(KvsException.class).hasMessageContaining("at epoch 2, not 1");
        assertThat(processes[0].slots().owner(300)).isZero();

        stop(2);
        processes[2] = start(2, SHARDS);
        await("the restarted process replays the map").atMost(Duration.ofSeconds(30)).until(() ->
                processes[2].slots().epoch() == 2 && processes[2].slots().owner(150) == 1);
    }

    private static Bytes keyInSlots(SlotMap.Range range) {
        for (int i = 0; ; i++) {
            Bytes k = b("moved:" + i);
            int slot = HashSlot.of(k);
            if (slot >= range.first() && slot <= range.last()) {
                return k;
            }
        }
    }

    @Test
    void theNumberOfShardsIsFixedAtTheFirstStart() throws Exception {
        stop(0);
        assertThatThrownBy(() -> start(0, 2)).isInstanceOf(IOException.class).hasMessageContaining("has 3 shards");
        processes[0] = start(0, SHARDS);
    }

    @Test
    void theShardsEnginesMustShareOneTableOfWatchedKeys() throws Exception {
        Path other = dir.resolve("other");
        List<Store> engines = List.of(KvStore.open(other.resolve("a")), KvStore.open(other.resolve("b")));
        try {
            ClusterConfig config = new ClusterConfig("n1", members, "other", Duration.ofMillis(500), other.resolve("raft"));
            assertThatThrownBy(() -> ShardedNode.start(config, engines)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("share one table");
        } finally {
            for (Store e : engines) {
                e.close();
            }
        }
    }
}
