package kvs.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kvs.check.Dirs;
import kvs.check.Ports;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.store.Bytes;
import kvs.store.Store;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.awaitility.Awaitility;

/**
 * The data directories under {@code src/test/resources/upgrade/}, which UpgradeTest opens with
 * the code of today: each was written by the release named in its directory, with the writes
 * below, and is never written again (a new format gets fixtures of its own): format 1 by this
 * class as of commit f2989c0, over that commit's code (README in that directory says how).
 */
public final class UpgradeFixtures {

    /** The group's name in the member fixture. */
    static final String CLUSTER_ID = "upgrade";
    static final String MEMBER_ID = "n1";
    /** Entries between the member fixture's snapshots: it holds two, and log entries after them. */
    static final int SNAPSHOT_EVERY = 40;

    private UpgradeFixtures() {
    }

    /** Every key the fixtures hold, with its value, as each engine must serve it after an upgrade. */
    static Map<String, String> expected() {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < 120; i++) {
            pairs.put(String.format("key:%03d", i), "value " + i + " " + "x".repeat(i % 17));
        }
        pairs.put("ключ 🔑", "значение ✓ — ünïcödé");
        pairs.put("empty", "");
        pairs.put("counter", "42");
        pairs.put("big", "0123456789abcdef".repeat(2048)); // 32 KiB
        pairs.put("mset:a", "1");
        pairs.put("mset:b", "2");
        return pairs;
    }

    /** Keys the writes below set and then removed: absent after an upgrade. */
    static List<String> removed() {
        return List.of("gone", "key:500");
    }

    /** Writes {@link #expected} into {@code engine}, with overwrites and removes along the way. */
    static void write(Store engine) throws Exception {
        engine.set("gone", "soon removed");
        engine.set("key:500", "removed too");
        for (int round = 0; round < 3; round++) { // overwrites, so the logs hold stale records
            engine.set("counter", Integer.toString(40 + round));
        }
        for (Map.Entry<String, String> e : expected().entrySet()) {
            if (!e.getKey().startsWith("mset:")) {
                engine.set(e.getKey(), e.getValue());
            }
        }
        // A transaction that reads a key and sets two (an MSET's kind of record, a replicated log's "txn")
        engine.transact(view -> {
            if (view.get(Bytes.utf8("counter")) != null) {
                view.set(Bytes.utf8("mset:a"), Bytes.utf8("1"));
                view.set(Bytes.utf8("mset:b"), Bytes.utf8("2"));
            }
            return null;
        });
        engine.remove("gone");
        engine.remove("key:500");
    }

    /**
     * Writes the fixtures into {@code args[0]}: {@code kvs} (KvStore, closed), {@code kvs-unclosed}
     * (KvStore copied while open: its last log file has no hint), {@code mvstore} and
     * {@code member} (a one-member group's engine and Raft directories, with snapshots).
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        EngineOptions small = EngineOptions.defaults().withDurability(Durability.ALWAYS).withMaxFileSize(4 << 10)
                .withCompactionThreshold(1L << 40);
        try (KvStore store = KvStore.open(out.resolve("kvs"), small)) {
            write(store);
        }
        try (KvStore store = KvStore.open(out.resolve("kvs-unclosed-src"), small)) {
            write(store);
            Dirs.copyTree(out.resolve("kvs-unclosed-src"), out.resolve("kvs-unclosed"));
            Files.delete(out.resolve("kvs-unclosed").resolve("LOCK"));
        }
        Dirs.deleteTree(out.resolve("kvs-unclosed-src"));
        try (MvStoreEngine engine = MvStoreEngine.open(out.resolve("mvstore"), small)) {
            write(engine);
        }
        Path member = out.resolve("member");
        InetSocketAddress raft = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        InetSocketAddress kvs = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        ClusterConfig config = new ClusterConfig(MEMBER_ID, List.of(new Member(MEMBER_ID, kvs, raft)), CLUSTER_ID,
                Duration.ofMillis(200), member.resolve("raft"), SNAPSHOT_EVERY, ClusterConfig.Reads.LINEARIZABLE);
        KvStore engine = KvStore.open(member.resolve("engine"), EngineOptions.defaults().withDurability(Durability.NEVER));
        try (ClusterNode node = ClusterNode.start(config, engine, UpgradeFixtures::smallLog)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(node::isReadyLeader);
            write(node);
        }
    }

    /** Small Raft log segments, so a fixture stays small. */
    static void smallLog(org.apache.ratis.conf.RaftProperties p) {
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(16 << 10));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(4 << 10));
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false); // entries after the last snapshot stay in the log
    }
}
