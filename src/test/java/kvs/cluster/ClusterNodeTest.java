package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.UnavailableException;
import kvs.client.HostPort;
import kvs.engine.KvStore;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.Write;
import kvs.store.WriteId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members of a group in one JVM on loopback ({@link LocalGroup}; docs/CLUSTER.md): a write on the leader is applied
 * by all three and read linearizably on each; a follower refuses writes naming the leader; a
 * member that was down catches up; the group goes on with a new leader when the old one stops.
 * An isolated leader ({@link Partition}) never answers with what the majority overwrote. The
 * process-level tests (kill -9, a nemesis) are ClusterIT and ClusterNemesisIT; keys' deadlines, ClusterExpiryTest.
 */
class ClusterNodeTest {

    @TempDir
    Path dir;

    private LocalGroup group;
    private List<Member> members;
    private ClusterNode[] nodes;
    private Store[] engines;

    @BeforeEach
    void startThree() throws Exception {
        group = LocalGroup.start(dir, KvStore::open);
        members = group.members;
        nodes = group.nodes;
        engines = group.engines;
    }

    @AfterEach
    void stopAll() throws Exception {
        group.close();
    }

    private static InetSocketAddress freePort() throws IOException {
        return LocalGroup.freePort();
    }

    private void start(int i) throws Exception {
        group.start(i);
    }

    private void stop(int i) throws Exception {
        group.stop(i);
    }

    private int leader() {
        return group.leader();
    }

    private static List<Write<?>> writeAll(ClusterNode node, Write<?>... writes) {
        node.writeAll(List.of(writes));
        return List.of(writes);
    }

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    private static Write.Set set(String key, String value) {
        return Write.set(b(key), b(value));
    }

    private static Write.Remove remove(String key) {
        return Write.remove(b(key));
    }

    /** The outcome of a write done without a result: a set's, or a transaction's that returns nothing. */
    private static final Outcome<?> DONE = new Outcome.Done<>(null);
    /** The outcome of a remove of a key that was present. */
    private static final Outcome<?> REMOVED = new Outcome.Done<>(true);
    /** The outcome of a remove of an absent key: a result, not a failure. */
    private static final Outcome<?> ABSENT = new Outcome.Done<>(false);

    /** What {@code w} failed of, asserting that it failed. */
    private static KvsException failure(Write<?> w) {
        assertThat(w.outcome()).as("the outcome of %s", w).isInstanceOf(Outcome.Failed.class);
        return ((Outcome.Failed<?>) w.outcome()).cause();
    }

    /** Why {@code w} was refused, asserting that it was. */
    private static Refusal refusal(Write<?> w) {
        assertThat(w.outcome()).as("the outcome of %s", w).isInstanceOf(Outcome.Refused.class);
        return ((Outcome.Refused<?>) w.outcome()).refusal();
    }

    @Test
    void aWriteOnTheLeader_isReadLinearizablyOnEveryMember() throws Exception {
        int leader = leader();
        List<Write<?>> done = writeAll(nodes[leader], set("a", "1"), set("b", "2"), remove("b"),
                remove("missing"), set("c", "héllo"));
        assertThat(done.get(0).outcome()).isEqualTo(DONE);
        assertThat(done.get(2).outcome()).isEqualTo(REMOVED);
        assertThat(done.get(3).outcome()).as("a remove of an absent key").isEqualTo(ABSENT);
        assertThat(done.get(4).outcome()).isEqualTo(DONE);
        for (ClusterNode node : nodes) {
            assertThat(node.get("a")).as("on %s", node.address()).hasValue("1");
            assertThat(node.get("b")).isEmpty();
            assertThat(node.get("c")).hasValue("héllo");
        }
        for (Store engine : engines) { // applied by every member, not only read through the leader
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.get("c").isPresent());
        }
    }

    @Test
    void concurrentWriters_shareLogEntries_andEveryWriteIsApplied() throws Exception {
        int leader = leader();
        long before = nodes[leader].figures().member().appliedIndex();
        int writers = 8;
        int each = 50;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < writers; t++) {
            String prefix = "w" + t + "-";
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        nodes[leader].set(prefix + i, "v" + i);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        long entries = nodes[leader].figures().member().appliedIndex() - before;
        assertThat(entries).as("log entries for %d writes by %d writers", writers * each, writers)
                .isLessThan(writers * each);
        for (int t = 0; t < writers; t++) {
            assertThat(nodes[(leader + 1) % 3].get("w" + t + "-" + (each - 1))).hasValue("v" + (each - 1));
        }
        assertThat(nodes[leader].figures().keys()).as("the users' keys, not the applied index's").isEqualTo(writers * each);
        assertThat(nodes[leader].figures().member().role()).isEqualTo("leader");
        assertThat(nodes[(leader + 1) % 3].figures().member()).satisfies(s -> {
            assertThat(s.role()).isEqualTo("follower");
            assertThat(s.leader()).isEqualTo("n" + (leader + 1));
        });
    }

    @Test
    void withLeaseReads_everyMemberReadsEveryAcknowledgedWrite() throws Exception {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
        group.reads = ClusterConfig.Reads.LEASE;
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        int leader = leader();
        for (int round = 0; round < 20; round++) {
            nodes[leader].set("k", "v" + round);
            for (ClusterNode node : nodes) {
                assertThat(node.get("k")).as("round %d on %s", round, node.address()).hasValue("v" + round);
            }
        }
    }

    @Test
    void aMemberWhoseRaftPortIsTaken_failsToStart_sayingWhere_andClosesItsEngine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress raft = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            List<Member> group = List.of(new Member("x1", freePort(), raft), members.get(1), members.get(2));
            Store engine = KvStore.open(dir.resolve("x1-engine"));
            ClusterConfig config = new ClusterConfig("x1", group, "another", Duration.ofMillis(500), dir.resolve("x1-raft"));
            assertThatThrownBy(() -> ClusterNode.start(config, engine)).isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot start the Raft server of 'x1' on " + HostPort.show(raft));
            assertThatThrownBy(() -> engine.get("k")).as("the engine, closed").isInstanceOf(IllegalStateException.class);
        }
    }

    /** An INCR as kvs.resp runs one: the new value the transaction's result, a word refused. */
    private static Write.Txn<Long> increment(String key) {
        return Write.transaction(view -> {
            Bytes old = view.get(b(key));
            if (old != null && !old.utf8().matches("-?\\d+")) {
                throw new Refusal("ERR value is not an integer or out of range");
            }
            long result = (old == null ? 0 : Long.parseLong(old.utf8())) + 1;
            view.set(b(key), b(Long.toString(result)));
            return result;
        });
    }

    @Test
    void concurrentReadModifyWrites_areEachAppliedOnce_onEveryMember_andAnswerWhatTheyDid() throws Exception {
        int leader = leader();
        int writers = 8;
        int each = 25;
        List<Long> results = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    Write.Txn<Long> incr = increment("n");
                    List<Write<?>> done = writeAll(nodes[leader], set("plain", "x"), incr);
                    if (!(incr.outcome() instanceof Outcome.Done<Long> d) || !done.get(0).outcome().equals(DONE)) {
                        failures.add(new AssertionError("the increment: " + incr.outcome() + ", the set: " + done.get(0).outcome()));
                        return;
                    }
                    results.add(d.value());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(results).as("each increment's own answer").doesNotHaveDuplicates().hasSize(writers * each)
                .allSatisfy(r -> assertThat(r).isBetween(1L, (long) writers * each));
        for (int i = 0; i < 3; i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> engines[member].get("n"),
                    v -> v.equals(Optional.of(Long.toString(writers * each))));
        }
    }

    @Test
    void aRefusedReadModifyWrite_writesNothing_andTheWritesAroundItAreApplied() throws Exception {
        int leader = leader();
        nodes[leader].set("n", "a word");
        Write.Txn<Long> incr = increment("n");
        List<Write<?>> done = writeAll(nodes[leader], set("before", "1"), incr, set("after", "2"));
        assertThat(refusal(incr)).hasMessageContaining("not an integer");
        assertThat(done.get(0).outcome()).isEqualTo(DONE);
        assertThat(done.get(2).outcome()).isEqualTo(DONE);
        for (ClusterNode node : nodes) {
            assertThat(node.get("after")).hasValue("2");
            assertThat(node.get("n")).hasValue("a word");
        }
        String big = "b".repeat(9 << 20); // read and written twice over: 27 MiB, more than an entry holds
        nodes[leader].set("big", big);
        Write.Txn<Void> append = Write.transaction(view -> {
            view.set(b("big"), view.get(b("big")).concat(view.get(b("big"))));
            return null;
        });
        writeAll(nodes[leader], append, set("after-the-big-one", "3"));
        assertThat(refusal(append)).hasMessageContaining("more than one replicated log entry holds");
        assertThat(nodes[leader].get("after-the-big-one")).hasValue("3");
        assertThat(nodes[leader].get("big")).hasValueSatisfying(v -> assertThat(v).hasSize(9 << 20));
    }

    @Test
    void everyMemberListsTheKeys_andAReadModifyWriteThatListsThem_removesEveryKey_butNotTheGroupsOwn() throws Exception {
        int leader = leader();
        for (int i = 0; i < 30; i++) {
            nodes[leader].set("k" + i, "v");
        }
        for (ClusterNode node : nodes) { // at once, on a follower too: a listing waits for what was acknowledged
            List<Bytes> listed = new ArrayList<>();
            node.keys().forEachRemaining(listed::add);
            assertThat(listed).as("the keys on %s, without the group's own", node.address()).hasSize(30).allMatch(k -> k.startsWith(b("k")));
            assertThat(node.size()).isEqualTo(30);
        }
        Write.Txn<Void> flush = Write.transaction(view -> {
            for (Bytes k : List.copyOf(view.keys())) {
                view.remove(k);
            }
            return null;
        });
        writeAll(nodes[leader], set("in-the-same-entry", "x"), flush);
        assertThat(flush.outcome()).isEqualTo(DONE);
        for (int i = 0; i < 3; i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes[member].figures().keys() == 0);
            assertThat(engines[i].meta(KvsStateMachine.APPLIED)).as("the applied index, kept").isNotNull();
        }
        nodes[leader].set("after", "1");
        stop(leader);
        start(leader);
        assertThat(nodes[leader].get("after")).hasValue("1");
        assertThat(nodes[leader].get("k0")).isEmpty();
    }

    @Test
    void aWriteToAFollower_failsNotLeader_namingTheLeadersKvsAddress() throws Exception {
        int leader = leader();
        int follower = (leader + 1) % 3;
        List<Write<?>> done = writeAll(nodes[follower], set("k", "v"), set("k2", "v"));
        assertThat(done).allSatisfy(w -> assertThat(failure(w)).isInstanceOfSatisfying(NotLeaderException.class,
                e -> assertThat(e.leader()).hasValue(HostPort.show(members.get(leader).kvs()))));
        assertThat(nodes[leader].get("k")).isEmpty();
    }

    @Test
    void aMemberThatWasDown_catchesUp_andTheGroupServesWithoutIt() throws Exception {
        int leader = leader();
        int follower = (leader + 1) % 3;
        writeAll(nodes[leader], set("before", "1"));
        stop(follower);
        List<Write<?>> done = writeAll(nodes[leader], set("while-down", "2"));
        assertThat(done.get(0).outcome()).as("a majority of two commits").isEqualTo(DONE);
        start(follower);
        assertThat(nodes[follower].get("while-down")).hasValue("2");
        assertThat(nodes[follower].get("before")).hasValue("1");
    }

    @Test
    void aFollowerWipedClean_isSentTheLeadersSnapshot_andHoldsEveryWrite() throws Exception {
        int leader = leader();
        int follower = (leader + 1) % 3;
        for (int i = 0; i < 30; i++) {
            nodes[leader].set("k" + i, "before-" + i);
        }
        Bytes binaryKey = Bytes.wrap(new byte[] {0, (byte) 0xFF, '\r', '\n'});
        Bytes binaryValue = Bytes.wrap(new byte[] {(byte) 0xC3, '(', 0, (byte) 0x80});
        nodes[leader].set(binaryKey, binaryValue); // in the snapshot the follower is sent
        stop(follower);
        deleteTree(dir.resolve("n" + (follower + 1)));
        nodes[leader].remove("k0");
        for (int i = 30; i < 120; i++) { // entries of 200+ bytes: 120 fill several 16 KiB segments
            nodes[leader].set("k" + i, "while-gone-" + i + "-" + "x".repeat(200));
        }
        Path leaderLog = dir.resolve("n" + (leader + 1)).resolve("raft");
        await("the leader's log purged up to a snapshot").atMost(Duration.ofSeconds(20))
                .until(() -> !logFiles(leaderLog).contains("log_0-"));

        start(follower);
        Store engine = engines[follower];
        await("the wiped follower caught up").atMost(Duration.ofSeconds(30))
                .until(() -> engine.get("k119").isPresent()); // the last write
        assertThat(engine.get("k0")).as("removed after the follower was wiped").isEmpty();
        for (int i = 1; i < 120; i++) {
            assertThat(engine.get("k" + i)).as("k%d", i).hasValueSatisfying(v -> assertThat(v).contains("-"));
        }
        assertThat(engine.get(binaryKey)).as("bytes that are not UTF-8, through the snapshot").isEqualTo(binaryValue);
        assertThat(logFiles(dir.resolve("n" + (follower + 1)).resolve("raft"))).as("a snapshot installed")
                .contains("snapshot.");
    }

    /** Writes k0..k49 through the leader; returns a follower, stopped once it has taken a snapshot. */
    private int stoppedFollowerWithASnapshot() throws Exception {
        int leader = leader();
        int follower = (leader + 1) % 3;
        for (int i = 0; i < 50; i++) {
            nodes[leader].set("k" + i, "v" + i);
        }
        Path raft = dir.resolve("n" + (follower + 1)).resolve("raft");
        await("a snapshot on the follower").atMost(Duration.ofSeconds(20)).until(() -> logFiles(raft).contains("snapshot."));
        stop(follower);
        return follower;
    }

    @Test
    void aMemberWhoseEngineIsBehindItsSnapshot_refusesToStart_namingTheMismatch() throws Exception {
        int follower = stoppedFollowerWithASnapshot();
        Path data = dir.resolve("n" + (follower + 1));
        deleteTree(data.resolve("engine"));
        assertThatThrownBy(() -> start(follower)).isInstanceOf(IOException.class)
                .hasMessageContaining("the engine holds entries up to none, behind this member's Raft snapshot at")
                .hasMessageContaining("remove both directories");
        assertThatThrownBy(() -> engines[follower].get("k")).as("the engine, closed").isInstanceOf(IllegalStateException.class);
        engines[follower] = null;
        // Removing both directories makes it a member whose disk was lost: aFollowerWipedClean_... covers that.
    }

    @Test
    void aMemberStoppedBeforeItLoadedTheLeadersSnapshot_loadsItWhenItStarts() throws Exception {
        int follower = stoppedFollowerWithASnapshot();
        int leader = leader();
        Path data = dir.resolve("n" + (follower + 1));
        // As Ratis leaves a member stopped after it published a snapshot the leader sent, before it
        // loaded it: the engine older than the snapshot, with the mark pause() writes.
        deleteTree(data.resolve("engine"));
        try (KvStore engine = KvStore.open(data.resolve("engine"))) {
            engine.writeAll(List.of(Write.meta(KvsStateMachine.INSTALLING, b("a snapshot from the leader"))));
            engine.set("stale", "not in the snapshot");
        }
        start(follower);
        assertThat(engines[follower].get("stale")).as("the engine is the snapshot's").isEmpty();
        assertThat(engines[follower].meta(KvsStateMachine.INSTALLING)).isNull();
        assertThat(engines[follower].get("k0")).hasValue("v0");
        nodes[leader].set("after", "1");
        assertThat(nodes[follower].get("after")).hasValue("1");
        assertThat(nodes[follower].get("k49")).hasValue("v49");
    }

    @Test
    void anEngineHoldingKeysWithoutARaftLog_failsToStart_ratherThanDiverge() throws Exception {
        Path data = dir.resolve("stray");
        try (KvStore engine = KvStore.open(data.resolve("engine"))) {
            engine.set("written", "outside the group");
        }
        Store engine = KvStore.open(data.resolve("engine"));
        List<Member> group = List.of(new Member("s1", freePort(), freePort()), members.get(1), members.get(2));
        ClusterConfig config = new ClusterConfig("s1", group, "stray", Duration.ofMillis(500), data.resolve("raft"));
        assertThatThrownBy(() -> ClusterNode.start(config, engine)).isInstanceOf(IOException.class)
                .hasMessageContaining("did not write");
        assertThatThrownBy(() -> engine.get("written")).as("the engine, closed").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMemberStartedWithOtherPeers_refusesToStart_namingBoth() throws Exception {
        int follower = (leader() + 1) % 3;
        stop(follower);
        members.set((follower + 1) % 3, new Member("n" + ((follower + 1) % 3 + 1), freePort(), freePort()));
        assertThatThrownBy(() -> start(follower)).isInstanceOf(IOException.class)
                .hasMessageContaining("a group's members cannot change").hasMessageContaining("as --peer now says");
        engines[follower] = null;
    }

    @Test
    void aWriteRetriedWithItsId_isAppliedOnce_onTheSameLeader_onANewOne_andAfterTheWholeGroupRestarts() throws Exception {
        WriteId id = new WriteId(UUID.randomUUID(), 0);
        int leader = leader();
        assertThat(writeAll(nodes[leader], Write.set(b("k"), b("first"), id)).get(0).outcome()).isEqualTo(DONE);
        nodes[leader].set("k", "second");
        assertThat(writeAll(nodes[leader], Write.set(b("k"), b("first"), id)).get(0).outcome()).as("a retry is answered").isEqualTo(DONE);
        assertThat(nodes[leader].get("k")).as("but not applied again").hasValue("second");

        WriteId removal = new WriteId(UUID.randomUUID(), 5);
        assertThat(writeAll(nodes[leader], Write.remove(b("absent"), removal)).get(0).outcome()).isEqualTo(ABSENT);
        stop(leader);
        int next = leader();
        assertThat(writeAll(nodes[next], Write.set(b("k"), b("first"), id)).get(0).outcome()).isEqualTo(DONE);
        assertThat(writeAll(nodes[next], Write.remove(b("absent"), removal)).get(0).outcome())
                .as("a retry is answered as the write was").isEqualTo(ABSENT);
        assertThat(nodes[next].get("k")).hasValue("second");
        start(leader);

        for (int i = 0; i < LocalGroup.SNAPSHOT_EVERY + 5; i++) { // past a snapshot: the clients' last writes are in it
            nodes[next].set("filler" + i, "x");
        }
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        int restarted = leader();
        assertThat(writeAll(nodes[restarted], Write.set(b("k"), b("first"), id)).get(0).outcome()).isEqualTo(DONE);
        assertThat(nodes[restarted].get("k")).as("after the whole group restarted").hasValue("second");
        assertThat(nodes[restarted].get("filler0")).hasValue("x");
        assertThat(writeAll(nodes[restarted], Write.set(b("k"), b("third"), new WriteId(id.client(), 1))).get(0).outcome()).isEqualTo(DONE);
        assertThat(nodes[restarted].get("k")).as("the client's next write").hasValue("third");
    }

    @Test
    void everyKeyIsTheUsers_eventheNamesOfTheGroupsOwnRecords_whichAreTheEnginesMetadata() throws Exception {
        int leader = leader();
        Bytes likeApplied = b("\u0000kvs.raft.applied"); // where a release before engines had metadata kept it
        Bytes likeInstalling = b("\u0000kvs.raft.installing");
        nodes[leader].set(likeApplied, b("the user's"));
        Write.Txn<Void> txn = Write.transaction(view -> {
            view.set(likeInstalling, view.get(likeApplied));
            return null;
        });
        writeAll(nodes[leader], txn);
        assertThat(txn.outcome()).isEqualTo(DONE);
        for (ClusterNode node : nodes) {
            List<Bytes> listed = new ArrayList<>();
            node.keys().forEachRemaining(listed::add);
            assertThat(listed).as("on %s", node.address()).containsExactlyInAnyOrder(likeApplied, likeInstalling);
            assertThat(node.size()).isEqualTo(2);
        }
        assertThat(engines[leader].meta(KvsStateMachine.APPLIED)).as("the group's own record, apart").isNotNull();
        Write.Meta meta = Write.meta("mine", b("x"));
        writeAll(nodes[leader], meta);
        assertThat(refusal(meta)).hasMessageContaining("no metadata");
        assertThat(nodes[leader].meta("mine")).isNull();
        stop(leader);
        start(leader);
        int now = leader();
        assertThat(nodes[now].get(likeInstalling)).isEqualTo(b("the user's"));
        assertThat(nodes[now].remove(likeApplied)).isTrue();
        assertThat(nodes[now].size()).isEqualTo(1);
    }

    /** The names of every file under {@code root}, space-separated. */
    private static String logFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return String.join(" ", files.map(f -> f.getFileName().toString()).toList());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private int leaderOtherThan(int old) {
        return group.leaderOtherThan(old);
    }

    /** What {@code call} returned, or the KvsException it threw. */
    private static Object outcome(Callable<?> call) {
        try {
            return call.call();
        } catch (KvsException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("neither an answer nor a KvsException", e);
        }
    }

    @Test
    void anIsolatedLeader_answersAReadWithTheNewValueOrAnError_neverTheOld_andCatchesUpWhenHealed() throws Exception {
        int old = leader();
        nodes[old].set("k", "old");
        Partition.isolate("n" + (old + 1));
        try {
            int next = leaderOtherThan(old);
            nodes[next].set("k", "new");
            // A write and a read through the isolated member at once: each waits out the request timeout.
            CompletableFuture<Object> write = CompletableFuture.supplyAsync(() -> outcome(() -> {
                nodes[old].set("k", "written while isolated");
                return "acknowledged";
            }));
            Object read = outcome(() -> nodes[old].get("k"));
            assertThat(read).as("a linearizable read through the isolated old leader")
                    .isNotEqualTo(Optional.of("old"))
                    .satisfiesAnyOf(r -> assertThat(r).isEqualTo(Optional.of("new")),
                            r -> assertThat(r).isInstanceOf(UnavailableException.class));
            assertThat(write.get()).as("a write through the isolated old leader").isInstanceOf(UnavailableException.class);
            assertThat(nodes[next].get("k")).hasValue("new");
        } finally {
            Partition.heal();
        }
        await("the healed member caught up").atMost(Duration.ofSeconds(30)).until(() -> engines[old].get("k"), v -> v.equals(Optional.of("new")));
        assertThat(nodes[old].get("k")).as("read through the healed member").hasValue("new");
        for (int i = 0; i < 3; i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> engines[member].get("k"), v -> v.equals(Optional.of("new")));
        }
    }

    @Test
    void whenTheLeaderStops_anotherIsElected_andNothingAcknowledgedIsLost() throws Exception {
        int first = leader();
        List<Write<?>> done = writeAll(nodes[first], set("k", "acknowledged"));
        assertThat(done.get(0).outcome()).isEqualTo(DONE);
        stop(first);
        int second = leader();
        assertThat(second).isNotEqualTo(first);
        assertThat(nodes[second].get("k")).hasValue("acknowledged");
        assertThat(writeAll(nodes[second], set("k", "later")).get(0).outcome()).isEqualTo(DONE);
        start(first);
        assertThat(nodes[first].get("k")).hasValue("later");
    }

    @Test
    void readsAndWrites_withoutAMajority_areUnavailable_notWrong() throws Exception {
        int leader = leader();
        writeAll(nodes[leader], set("k", "v"));
        stop((leader + 1) % 3);
        stop((leader + 2) % 3);
        long t0 = System.nanoTime();
        List<Write<?>> done = writeAll(nodes[leader], set("k", "lost?"));
        assertThat(failure(done.get(0))).isInstanceOf(KvsException.class)
                .isNotInstanceOf(KeyNotFoundException.class);
        assertThat(System.nanoTime() - t0).as("bounded by the request timeout")
                .isLessThan(Submitter.REQUEST_TIMEOUT.toNanos() + Duration.ofSeconds(20).toNanos());
    }
}
