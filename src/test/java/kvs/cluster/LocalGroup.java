package kvs.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvs.KvsException;
import kvs.check.Ports;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.store.ManualClock;
import kvs.store.Store;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;

/**
 * Three members of a group in one JVM on loopback, for tests: member {@code i} ({@code n1} to
 * {@code n3}) keeps its engine in {@code dir/nI/engine}, opened as kvs-server opens a member's
 * (no fsync, compaction keeping expired keys) with a clock of its own the test moves
 * ({@link #clocks}), and its Raft directory in {@code dir/nI/raft}. A member takes a snapshot
 * every {@link #SNAPSHOT_EVERY} entries and keeps its Raft log in segments of 16 KiB, so
 * snapshots are taken, and the log purged, within a test's writes.
 */
final class LocalGroup implements AutoCloseable {

    static final int SNAPSHOT_EVERY = 20;

    /** Opens a member's engine. */
    interface Opener {
        Store open(Path dir, EngineOptions options) throws KvsException;
    }

    /** The members, as every one is started with them; a test may replace one. */
    final List<Member> members = new ArrayList<>();
    /** Each running member, or null while it is stopped. */
    final ClusterNode[] nodes = new ClusterNode[3];
    /** Each running member's engine, or null while it is stopped. */
    final Store[] engines = new Store[3];
    /** Each member's clock, which its engine reads deadlines against; kept across restarts. */
    final ManualClock[] clocks = {new ManualClock(), new ManualClock(), new ManualClock()};
    /** How members started from now on read. */
    ClusterConfig.Reads reads = ClusterConfig.Reads.LINEARIZABLE;

    private final Path dir;
    private final Opener opener;

    private LocalGroup(Path dir, Opener opener) {
        this.dir = dir;
        this.opener = opener;
    }

    /** Starts three members under {@code dir}, their engines opened by {@code opener}. */
    static LocalGroup start(Path dir, Opener opener) throws Exception {
        LocalGroup group = new LocalGroup(dir, opener);
        for (int i = 0; i < 3; i++) {
            group.members.add(new Member("n" + (i + 1), freePort(), freePort()));
        }
        for (int i = 0; i < 3; i++) {
            group.start(i);
        }
        return group;
    }

    static InetSocketAddress freePort() throws IOException {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
    }

    /** The data directory of member {@code i}. */
    Path data(int i) {
        return dir.resolve("n" + (i + 1));
    }

    /** Starts member {@code i}. */
    void start(int i) throws Exception {
        Path data = data(i);
        engines[i] = opener.open(data.resolve("engine"), EngineOptions.defaults().withDurability(Durability.NEVER)
                .withCompactionExpires(false).withClock(clocks[i]));
        ClusterConfig config = new ClusterConfig("n" + (i + 1), members, "test", Duration.ofMillis(500), data.resolve("raft"),
                SNAPSHOT_EVERY, reads);
        nodes[i] = ClusterNode.start(config, engines[i], p -> {
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(16 << 10));
            RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(16 << 10));
        });
    }

    /** Stops member {@code i}: its Raft server, then its engine. */
    void stop(int i) throws KvsException {
        if (nodes[i] != null) {
            nodes[i].close();
            nodes[i] = null;
            engines[i] = null;
        }
    }

    /** Waits for a leader that serves writes among the running members; returns its index. */
    int leader() {
        return leaderOtherThan(-1);
    }

    /** Waits for a ready leader other than member {@code old}, which may still believe it leads. */
    int leaderOtherThan(int old) {
        int[] found = {-1};
        await("a ready leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (int i = 0; i < 3; i++) {
                if (i != old && nodes[i] != null && nodes[i].isReadyLeader()) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Moves every member's clock on by {@code ms}. */
    void advanceAll(long ms) {
        for (ManualClock c : clocks) {
            c.advance(ms);
        }
    }

    @Override
    public void close() throws KvsException {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
    }
}
