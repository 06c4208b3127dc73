package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;

import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.expiry.ExpiryCycle;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys' deadlines in a group of three in one JVM ({@link LocalGroup}; docs/CLUSTER.md, "Key
 * expiry"), each member with a clock of its own the tests move: a key expires on every member
 * alike, each member's reads hiding it by its own clock while it stays stored; only the leader
 * offers keys to an expiry cycle, and its removals, conditional on the deadline, reach every
 * member; a deadline outlives a change of leader and a snapshot; a lock taken with
 * {@code SET NX PX} by two clients at once is held by one. Over KvStore members; over MvStoreEngine
 * ones in {@link ClusterExpiryMvStoreTest}.
 */
class ClusterExpiryTest {

    @TempDir
    Path dir;

    private LocalGroup group;

    @BeforeEach
    void startThree() throws Exception {
        group = LocalGroup.start(dir, opener());
    }

    @AfterEach
    void stopAll() throws Exception {
        group.close();
    }

    /** The members' engine: KvStore here, MvStoreEngine in {@link ClusterExpiryMvStoreTest}. */
    LocalGroup.Opener opener() {
        return KvStore::open;
    }

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    private static <R> R write(Store store, Write<R> w) throws Exception {
        store.writeAll(List.of(w));
        return w.outcome().get();
    }

    private static List<Bytes> keys(Store store) throws Exception {
        List<Bytes> keys = new ArrayList<>();
        for (Iterator<Bytes> it = store.keys(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /**
     * RESP's {@code SET key token NX PX ttl}, as its handler runs it: a transaction that sets the
     * key only if it is absent, until {@code ttl} after the time it runs as of; whether it did.
     */
    private static Write.Txn<Boolean> setNxPx(String key, String token, long ttl) {
        return Write.transaction(view -> {
            if (view.get(b(key)) != null) {
                return false;
            }
            view.set(b(key), b(token), view.now() + ttl);
            return true;
        });
    }

    @Test
    void aKeyWithADeadline_expiresOnEveryMemberAlike_eachHidingItByItsOwnClock_whileItStaysStored() throws Exception {
        int leader = group.leader();
        int follower = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        long deadline = group.clocks[leader].millis() + 10_000;
        group.nodes[leader].set(b("k"), b("v"), deadline);
        for (ClusterNode node : group.nodes) {
            assertThat(node.entry(b("k"))).as("on %s", node.address()).isEqualTo(new Entry(b("v"), deadline));
        }
        group.clocks[follower].set(deadline);
        assertThat(group.nodes[follower].get(b("k"))).as("at its deadline, still present").isEqualTo(b("v"));
        group.clocks[follower].set(deadline + 1);
        assertThat(group.nodes[follower].get(b("k"))).as("a member whose clock has passed the deadline").isNull();
        assertThat(keys(group.nodes[follower])).isEmpty();
        assertThat(group.nodes[leader].get(b("k"))).as("the leader, whose clock has not").isEqualTo(b("v"));
        assertThat(group.nodes[other].entry(b("k"))).isEqualTo(new Entry(b("v"), deadline));
        Write.Txn<Void> append = Write.transaction(view -> { // as APPEND runs: the deadline kept
            Entry e = view.entry(b("k"));
            view.set(b("k"), e.value().concat(b("+")), e.deadline());
            return null;
        });
        write(group.nodes[leader], append);
        group.clocks[follower].set(deadline);
        assertThat(group.nodes[follower].entry(b("k"))).as("applied as of the leader's time by a member that hid the key")
                .isEqualTo(new Entry(b("v+"), deadline));
        group.clocks[follower].set(deadline + 1);

        group.clocks[leader].set(deadline + 1);
        group.clocks[other].set(deadline + 1);
        for (int i = 0; i < 3; i++) {
            assertThat(group.nodes[i].entry(b("k"))).as("member %d", i).isNull();
            assertThat(keys(group.nodes[i])).isEmpty();
            assertThat(group.nodes[i].size()).as("stored on member %d until the log removes it", i).isEqualTo(1);
            assertThat(group.engines[i].figures().keysWithDeadline()).isEqualTo(1);
        }
        assertThat(group.nodes[follower].scanDeadlines(10)).as("a follower offers no key to remove").isEmpty();
        assertThat(group.nodes[other].scanDeadlines(10)).isEmpty();
        assertThat(group.nodes[leader].scanDeadlines(10)).containsExactly(new KeyDeadline(b("k"), deadline));
    }

    @Test
    void theLeadersRemovalsOfExpiredKeys_reachEveryMember_andSpareAKeySetAgain() throws Exception {
        int leader = group.leader();
        long now = group.clocks[leader].millis();
        group.nodes[leader].set(b("a"), b("1"), now + 100);
        group.nodes[leader].set(b("b"), b("2"), now + 200);
        group.nodes[leader].set(b("c"), b("3"));
        group.advanceAll(1000);
        group.nodes[leader].set(b("b"), b("set again"), now + 60_000);
        Write.RemoveExpired a = Write.removeExpired(b("a"), now + 100);
        Write.RemoveExpired b = Write.removeExpired(b("b"), now + 200);
        group.nodes[leader].writeAll(List.of(a, b));
        assertThat(a.outcome()).isEqualTo(new Outcome.Done<>(true));
        assertThat(b.outcome()).as("b's deadline is no longer the one found").isEqualTo(new Outcome.Done<>(false));
        for (int i = 0; i < 3; i++) {
            assertThat(group.nodes[i].size()).as("member %d", i).isEqualTo(2);
            assertThat(group.nodes[i].entry(b("b"))).isEqualTo(new Entry(b("set again"), now + 60_000));
            assertThat(group.nodes[i].get(b("c"))).isEqualTo(b("3"));
        }
        assertThat(write(group.nodes[leader], Write.removeExpired(b("a"), now + 100))).as("once removed, no more").isFalse();
    }

    @Test
    void anExpiryCycleOnEveryMember_removesExpiredKeysThroughTheLeaderOnly() throws Exception {
        int leader = group.leader();
        long deadline = group.clocks[leader].millis() + 1000;
        for (int i = 0; i < 50; i++) {
            group.nodes[leader].set(b("k" + i), b("v"), deadline);
        }
        group.nodes[leader].set(b("kept"), b("v"), deadline + 60_000);
        List<ExpiryCycle> cycles = new ArrayList<>();
        try {
            for (ClusterNode node : group.nodes) {
                cycles.add(ExpiryCycle.start(node)); // as kvs-server runs one on every member
            }
            group.advanceAll(1001);
            for (int i = 0; i < 3; i++) {
                Store engine = group.engines[i];
                await("member " + i + " without the expired keys").atMost(Duration.ofSeconds(30)).until(engine::size, n -> n == 1);
                assertThat(engine.get(b("kept"))).isEqualTo(b("v"));
            }
            long removedByFollowers = 0;
            for (int i = 0; i < 3; i++) {
                if (i != leader) {
                    removedByFollowers += cycles.get(i).figures().removed();
                }
            }
            assertThat(removedByFollowers).as("keys removed by the followers' own cycles").isZero();
            assertThat(cycles.get(leader).figures().removed()).isEqualTo(50);
        } finally {
            for (ExpiryCycle c : cycles) {
                c.close();
            }
        }
    }

    @Test
    void aLeaderChangeInTheMiddleOfATtl_keepsTheDeadline() throws Exception {
        int first = group.leader();
        long deadline = group.clocks[first].millis() + 60_000;
        group.nodes[first].set(b("session"), b("s"), deadline);
        group.stop(first);
        int second = group.leaderOtherThan(first);
        group.advanceAll(30_000);
        assertThat(group.nodes[second].entry(b("session"))).as("on the new leader, halfway").isEqualTo(new Entry(b("s"), deadline));
        group.clocks[second].advance(-5_000); // the new leader's clock 5 s behind: a TTL it takes is by its clock
        long secondNow = group.clocks[second].millis();
        assertThat(write(group.nodes[second], setNxPx("lock", "t", 10_000))).isTrue();
        group.start(first);
        assertThat(group.nodes[first].entry(b("session"))).as("on the old leader, restarted").isEqualTo(new Entry(b("s"), deadline));
        assertThat(group.nodes[first].entry(b("lock"))).isEqualTo(new Entry(b("t"), secondNow + 10_000));
        group.advanceAll(30_001 + 5_000);
        for (int i = 0; i < 3; i++) {
            assertThat(group.nodes[i].get(b("session"))).as("member %d", i).isNull();
        }
        int now = group.leader();
        assertThat(write(group.nodes[now], Write.removeExpired(b("session"), deadline))).isTrue();
        for (int i = 0; i < 3; i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> group.engines[member].size(), n -> n == 1); // the lock
        }
    }

    @Test
    void aLockTakenWithSetNxPx_byTwoClientsAtOnce_isHeldByOne_andFreedByItsDeadline() throws Exception {
        int leader = group.leader();
        long now = group.clocks[leader].millis();
        int rounds = 20;
        for (int round = 0; round < rounds; round++) {
            String lock = "lock" + round;
            CyclicBarrier together = new CyclicBarrier(2);
            List<String> holders = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (String token : List.of("a", "b")) {
                clients.add(Thread.ofVirtual().start(() -> {
                    try {
                        together.await();
                        if (write(group.nodes[leader], setNxPx(lock, token, 30_000))) {
                            holders.add(token);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(holders).as("round %d", round).hasSize(1);
            for (ClusterNode node : group.nodes) {
                assertThat(node.entry(b(lock))).as("round %d on %s", round, node.address())
                        .isEqualTo(new Entry(b(holders.get(0)), now + 30_000));
            }
        }
        int follower = (leader + 1) % 3;
        group.clocks[follower].advance(30_001); // a follower whose clock runs ahead: its reads hide the locks early
        assertThat(group.nodes[follower].get(b("lock0"))).isNull();
        assertThat(write(group.nodes[leader], setNxPx("lock0", "c", 30_000))).as("still held, by the leader's clock").isFalse();
        group.clocks[leader].advance(30_001);
        group.clocks[(leader + 2) % 3].advance(30_001);
        assertThat(write(group.nodes[leader], setNxPx("lock0", "c", 30_000))).as("freed by its deadline").isTrue();
        for (ClusterNode node : group.nodes) {
            assertThat(node.entry(b("lock0")).value()).isEqualTo(b("c"));
            assertThat(node.size()).isEqualTo(rounds);
        }
    }

    @Test
    void aFollowerWipedClean_isSentASnapshotWithEveryDeadline_expiredKeysStillStoredToo() throws Exception {
        int leader = group.leader();
        int follower = (leader + 1) % 3;
        long now = group.clocks[leader].millis();
        group.nodes[leader].set(b("expired"), b("e"), now + 10);
        group.nodes[leader].set(b("later"), b("l"), now + 600_000);
        group.advanceAll(1000); // "expired" is past its deadline on every member, and still stored
        group.stop(follower);
        deleteTree(group.data(follower));
        for (int i = 0; i < 120; i++) { // entries of 200+ bytes: 120 fill several 16 KiB segments
            group.nodes[leader].set("k" + i, "while-gone-" + i + "-" + "x".repeat(200));
        }
        Path leaderLog = group.data(leader).resolve("raft");
        await("the leader's log purged up to a snapshot").atMost(Duration.ofSeconds(20))
                .until(() -> !files(leaderLog).contains("log_0-"));
        group.start(follower);
        Store engine = group.engines[follower];
        await("the wiped follower caught up").atMost(Duration.ofSeconds(30)).until(() -> engine.get(b("k119")) != null);
        assertThat(files(group.data(follower).resolve("raft"))).as("a snapshot installed").contains("snapshot.");
        assertThat(engine.entry(b("later"))).isEqualTo(new Entry(b("l"), now + 600_000));
        assertThat(engine.size()).as("the expired key too").isEqualTo(122);
        assertThat(write(group.nodes[leader], Write.removeExpired(b("expired"), now + 10))).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(group.nodes[i].size()).as("member %d", i).isEqualTo(121);
        }
    }

    @Test
    void aMemberLoadingTheLeadersSnapshot_dropsKeysItStoredPastTheirDeadline() throws Exception {
        int leader = group.leader();
        int follower = (leader + 1) % 3;
        for (int i = 0; i < 50; i++) {
            group.nodes[leader].set("k" + i, "v" + i);
        }
        Path raft = group.data(follower).resolve("raft");
        await("a snapshot on the follower").atMost(Duration.ofSeconds(20)).until(() -> files(raft).contains("snapshot."));
        group.stop(follower);
        // As Ratis leaves a member stopped after it published a snapshot the leader sent, before it
        // loaded it; its engine holds a key the snapshot does not, whose deadline has passed.
        Path engineDir = group.data(follower).resolve("engine");
        deleteTree(engineDir);
        EngineOptions options = EngineOptions.defaults().withCompactionExpires(false).withClock(group.clocks[follower]);
        try (Store engine = opener().open(engineDir, options)) {
            engine.writeAll(List.of(Write.meta(KvsStateMachine.INSTALLING, b("a snapshot from the leader"))));
            engine.set(b("stale"), b("s"), group.clocks[follower].millis() + 10);
        }
        group.clocks[follower].advance(1000);
        group.start(follower);
        assertThat(group.engines[follower].meta(KvsStateMachine.INSTALLING)).isNull();
        assertThat(group.engines[follower].size()).as("the snapshot's keys only").isEqualTo(50);
    }

    private static String files(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return String.join(" ", files.map(f -> f.getFileName().toString()).toList());
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
