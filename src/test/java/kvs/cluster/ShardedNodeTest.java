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
        ClusterConfig config = new ClusterConfig("n" + (i + 1), members, "test", Duration.ofMillis(500), data.resolve("raft"));
        return ShardedNode.start(config, shards, new ShardEngineDirs(data.resolve("shards"), options, this::open));
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

    /** Slots 100-199: shard 0's at the start. */
    private static final int[] MOVED = java.util.stream.IntStream.rangeClosed(100, 199).toArray();
    /** The slot map's epoch after {@link #MOVED} moved: one run of slots (they hold few keys), one range, one new map. */
    private static final long AFTER_MOVE = 2;

    /**
     * Slots move with their keys, driven through a process that leads neither shard: every
     * process's map reaches the new epoch and routes by it, the keys are served by the new shard
     * and are gone from every member of the old one, a change made on an old map is refused, and a
     * restarted process learns the map and the shards' states again.
     */
    @Test
    void slotsMoveWithTheirKeysAndEveryProcessRoutesByTheReplicatedMap() throws Exception {
        List<Bytes> keys = keysInSlots(100, 199, 300);
        for (Bytes k : keys) {
            processes[0].set(k, b("v-" + k.utf8()), processes[0].clock().millis() + 3_600_000);
        }
        assertThat(processes[2].moveSlots(0, 1, MOVED)).isEqualTo(AFTER_MOVE);
        await("every process at the move's last epoch").atMost(Duration.ofSeconds(30)).until(() ->
                Arrays.stream(processes).allMatch(p -> p.slots().epoch() == AFTER_MOVE));
        for (ShardedNode p : processes) {
            assertThat(p.slots().owner(150)).isEqualTo(1);
            assertThat(p.slots().ranges(0)).containsExactly(new SlotMap.Range(0, 99), new SlotMap.Range(200, 5460));
        }
        for (Bytes k : keys) {
            assertThat(processes[1].get(k)).isEqualTo(b("v-" + k.utf8()));
            assertThat(processes[1].entry(k).deadline()).isPositive();
            assertThatThrownBy(() -> processes[0].get(k)).isInstanceOf(MovedException.class);
        }
        for (ShardedNode p : processes) { // the old shard's copy is dropped on every member
            await().atMost(Duration.ofSeconds(30)).until(() -> p.shard(0).figures().keys() == 0
                    && p.shard(1).figures().keys() == keys.size());
        }
        assertThatThrownBy(() -> processes[0].assign(1, new SlotMap.Range(300, 300), 2))
                .isInstanceOf(KvsException.class).hasMessageContaining("at epoch " + AFTER_MOVE + ", not 1");

        stop(2);
        processes[2] = start(2, SHARDS);
        await("the restarted process replays the map").atMost(Duration.ofSeconds(30)).until(() ->
                processes[2].slots().epoch() == AFTER_MOVE);
        assertThat(processes[2].shard(1).slots().state(150)).isEqualTo(SlotStates.OWNED);
        assertThat(processes[2].shard(0).slots().state(150)).isEqualTo(SlotStates.ABSENT);
        processes[1].set(keys.get(0), b("after"));
        assertThat(processes[1].get(keys.get(0))).isEqualTo(b("after"));
    }

    /**
     * Writers of keys of the moving slots go on through the move, each following MOVED; every
     * acknowledged write is there after it, and a key holds its last acknowledged value or one
     * whose outcome its writer never learned.
     */
    @Test
    void writesGoOnThroughAMoveAndNoAcknowledgedWriteIsLost() throws Exception {
        List<Bytes> all = keysInSlots(100, 199, 3040);
        List<Bytes> keys = all.subList(0, 40);
        List<Write<?>> fill = new ArrayList<>(); // more keys to copy: a longer move, so more writes come during it
        for (Bytes k : all.subList(40, all.size())) {
            fill.add(Write.set(k, b("filler")));
        }
        processes[0].writeAll(fill);
        java.util.Map<Bytes, long[]> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<Bytes, Set<Long>> unknown = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger redirects = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            List<Bytes> mine = keys.subList(10 * w, 10 * w + 10);
            writers.add(Thread.ofVirtual().start(() -> {
                for (long seq = 1; !stop.get(); seq++) {
                    Bytes k = mine.get((int) (seq % mine.size()));
                    unknown.computeIfAbsent(k, x -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(seq);
                    inFlight.increment();
                    boolean done = setFollowingMoves(k, b(Long.toString(seq)), redirects);
                    if (done) {
                        acked.put(k, new long[] {seq});
                        unknown.get(k).clear();
                    }
                    inFlight.decrement();
                }
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() == keys.size());
        // Held once frozen and once copied until every writer has a write in flight: writes come in both windows.
        for (ShardedNode p : processes) { // whichever drives the move (the metadata group's leader)
            p.onMoveSteps(step -> await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> inFlight.sum() == 4));
        }
        processes[2].moveSlots(0, 1, MOVED);
        stop.set(true); // at once: a write lost during the copy is not overwritten before the check
        for (Thread t : writers) {
            t.join();
        }
        assertThat(redirects.get()).as("writes moved to the new shard").isPositive();
        assertThat(refusals.get()).as("writes refused: a write that comes as its slot freezes is sent again, not refused").isZero();
        for (Bytes k : keys) {
            long seq = Long.parseLong(processes[1].get(k).utf8());
            assertThat(seq == acked.get(k)[0] || seq > acked.get(k)[0] && unknown.get(k).contains(seq))
                    .as("%s holds %d; acknowledged %d", k, seq, acked.get(k)[0]).isTrue();
        }
    }

    /**
     * The process driving a move (the metadata group's leader) stops once the keys are copied: the
     * move stays recorded in the metadata group, the next leader takes it up and ends it, and the
     * keys are served by the new shard.
     */
    @Test
    void aMoveWhoseDriverStopsIsEndedByTheNextLeader() throws Exception {
        List<Bytes> keys = keysInSlots(100, 199, 200);
        for (Bytes k : keys) {
            processes[0].set(k, b("v-" + k.utf8()));
        }
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<ShardedNode> driver = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        for (ShardedNode p : processes) {
            p.onMoveSteps(step -> {
                if (step == SlotMover.MoveStep.COPIED && driver.compareAndSet(null, p)) {
                    held.countDown();
                    try {
                        stopped.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }
        Thread mover = Thread.ofVirtual().start(() -> {
            try {
                processes[0].moveSlots(0, 1, MOVED);
            } catch (KvsException | IllegalStateException e) {
                // its process may be the one stopped (then closed): the move goes on all the same
            }
        });
        assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        int d = Arrays.asList(processes).indexOf(driver.get());
        stop(d);
        stopped.countDown();
        mover.join();
        for (ShardedNode p : processes) {
            if (p != null) {
                await("the move ended").atMost(Duration.ofSeconds(60)).until(() -> p.slots().epoch() == AFTER_MOVE && p.slotMapMove() == null);
            }
        }
        processes[d] = start(d, SHARDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> processes[d].slots().epoch() == AFTER_MOVE && processes[d].slotMapMove() == null);
        for (Bytes k : keys) {
            assertThat(getFollowingMoves(k)).isEqualTo(b("v-" + k.utf8()));
        }
    }

    /** The value of {@code k}, read where MOVED sends the read. */
    private Bytes getFollowingMoves(Bytes k) throws KvsException {
        ShardedNode at = processes[0];
        for (int hop = 0; ; hop++) {
            try {
                return at.get(k);
            } catch (MovedException e) {
                if (hop == 5) {
                    throw e;
                }
                at = Arrays.stream(processes).filter(p -> HostPort.show(p.address()).equals(e.address())).findFirst().orElseThrow();
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();

    /** Sets {@code k} through the process that serves it, following MOVED; whether the set was acknowledged. */
    private boolean setFollowingMoves(Bytes k, Bytes v, java.util.concurrent.atomic.AtomicInteger redirects) {
        ShardedNode at = processes[0];
        for (int hop = 0; hop < 5; hop++) {
            try {
                at.set(k, v);
                return true;
            } catch (MovedException e) {
                redirects.incrementAndGet();
                at = Arrays.stream(processes).filter(p -> HostPort.show(p.address()).equals(e.address())).findFirst().orElseThrow();
            } catch (Refusal e) {
                refusals.incrementAndGet();
                return false;
            } catch (KvsException e) {
                return false; // its outcome unknown
            }
        }
        return false;
    }

    /** {@code n} keys whose slots are {@code first} to {@code last}. */
    private static List<Bytes> keysInSlots(int first, int last, int n) {
        List<Bytes> keys = new ArrayList<>();
        for (int i = 0; keys.size() < n; i++) {
            Bytes k = b("moved:" + i);
            int slot = HashSlot.of(k);
            if (slot >= first && slot <= last) {
                keys.add(k);
            }
        }
        return keys;
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
        ShardEngines apart = new ShardEngines() {
            @Override
            public Store open(int shard) throws KvsException {
                return KvStore.open(other.resolve(Integer.toString(shard))); // a table of its own
            }

            @Override
            public Watches watches() {
                return new Watches();
            }
        };
        ClusterConfig config = new ClusterConfig("n1", members, "other", Duration.ofMillis(500), other.resolve("raft"));
        assertThatThrownBy(() -> ShardedNode.start(config, 2, apart)).isInstanceOf(IOException.class)
                .hasMessageContaining("share one table");
    }
}
