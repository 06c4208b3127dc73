package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import kvs.engine.KvStore;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Watch;
import kvs.store.WatchBroken;
import kvs.store.WatchedIncrements;
import kvs.store.Write;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watches in a group of three in one JVM ({@link LocalGroup}; docs/CLUSTER.md, "Transactions"):
 * a watch is held on the member a client watched through, whose engine moves the versions of
 * watched keys as it applies the group's entries, so a write made through another member breaks
 * it; the leader decides a transaction under a watch; clients incrementing one counter with
 * watches and retries end with the exact count on every member. Over KvStore members; over
 * MvStoreEngine ones in {@link ClusterWatchMvStoreTest}.
 */
class ClusterWatchTest {

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

    /** The members' engine: KvStore here, MvStoreEngine in {@link ClusterWatchMvStoreTest}. */
    LocalGroup.Opener opener() {
        return KvStore::open;
    }

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    /** Moves the leadership from member {@code from}, the leader, to member {@code to}; returns once it serves writes. */
    private void moveLeadership(int from, int to) throws Exception {
        RaftServer.Division d = group.nodes[from].division();
        TransferLeadershipRequest request = new TransferLeadershipRequest(ClientId.randomId(), d.getId(),
                d.getMemberId().getGroupId(), 1, RaftPeerId.valueOf("n" + (to + 1)), 20_000);
        RaftClientReply reply = d.getRaftServer().transferLeadership(request);
        assertThat(reply.isSuccess()).as("leadership moved to member %d: %s", to, reply).isTrue();
        await("member " + to + " serves writes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(group.nodes[to]::isReadyLeader);
    }

    /** A transaction under {@code watch} that sets "marker": what an EXEC of one SET runs. */
    private static Write.Txn<String> exec(Watch watch) {
        return Write.transaction(view -> {
            view.set(b("marker"), b("written"));
            return "ran";
        }, watch);
    }

    private static <R> Outcome<R> one(ClusterNode node, Write<R> w) {
        node.writeAll(List.of(w));
        return w.outcome();
    }

    /** Asserts that {@code outcome} is a refusal for a broken watch and that no member holds the marker. */
    private void assertBroken(Outcome<String> outcome) throws Exception {
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused<String>) outcome).refusal()).isInstanceOf(WatchBroken.class);
        for (ClusterNode node : group.nodes) {
            assertThat(node.get(b("marker"))).as("on %s", node.address()).isNull();
        }
    }

    @Test
    void aWatch_isBrokenByAWriteMadeThroughAnotherMember_evenOfTheSameValue() throws Exception {
        int first = group.leader();
        int second = (first + 1) % 3;
        int third = (first + 2) % 3;
        group.nodes[first].set(b("k"), b("v"));
        group.nodes[first].set(b("untouched"), b("u"));
        try (Watch watched = Watch.on(group.nodes[first]); Watch control = Watch.on(group.nodes[first])) {
            watched.add(b("k"));
            control.add(b("untouched"));
            moveLeadership(first, second);
            group.nodes[second].set(b("k"), b("v")); // reaches the watcher's member through the log
            moveLeadership(second, first);
            long next = group.nodes[first].division().getRaftLog().getNextIndex();
            assertBroken(one(group.nodes[first], exec(watched)));
            assertThat(group.nodes[first].division().getRaftLog().getNextIndex())
                    .as("refused by the leader, with nothing logged").isEqualTo(next);
            assertThat(one(group.nodes[first], exec(control))).as("the leader changed twice; this key was not written")
                    .isEqualTo(new Outcome.Done<>("ran"));
            for (ClusterNode node : group.nodes) {
                assertThat(node.get(b("marker"))).as("on %s", node.address()).isEqualTo(b("written"));
            }
        }
        assertThat(group.nodes[first].remove(b("marker"))).isTrue();

        try (Watch onAFollower = Watch.on(group.nodes[third])) {
            onAFollower.add(b("k"));
            assertThat(group.engines[third].watches().watchedKeys()).as("held on the member watched through").isEqualTo(1);
            assertThat(group.engines[first].watches().watchedKeys()).isZero();
            group.nodes[first].set(b("k"), b("v"));
            moveLeadership(first, third);
            assertBroken(one(group.nodes[third], exec(onAFollower)));
        }
        assertThat(group.engines[third].watches().watchedKeys()).isZero();
    }

    @Test
    void aCounterIncrementedUnderWatchesByManyClients_isExactOnEveryMember() throws Exception {
        int leader = group.leader();
        ClusterNode node = group.nodes[leader];
        int clients = 3;
        int each = 5;
        AtomicInteger broken = new AtomicInteger();
        CyclicBarrier firstReads = new CyclicBarrier(clients); // all read the first value: all but one must retry
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    WatchedIncrements.run(node, b("counter"), each, firstReads, broken);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        for (ClusterNode n : group.nodes) {
            assertThat(n.get(b("counter"))).as("on %s", n.address()).isEqualTo(b(Integer.toString(clients * each)));
        }
        assertThat(broken.get()).as("watches broken by another client's increment").isGreaterThanOrEqualTo(clients - 1);
        assertThat(group.engines[leader].watches().watchedKeys()).isZero();
    }
}
