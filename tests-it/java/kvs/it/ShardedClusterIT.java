package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import kvs.client.GroupClient;
import kvs.client.HostPort;
import kvs.client.KvsClient;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Three kvs-server processes started with {@code --shards 3} on loopback (docs/CLUSTER.md, "Sharded
 * mode"), used by Redis Cluster clients as they come: Jedis's and Lettuce's
 * {@code RedisClusterClient}s each write and read 10,000 keys across all slots, which land on the
 * shard of their slot; a plain connection is redirected with {@code -MOVED} and refused
 * {@code -CROSSSLOT}; and when the process that leads a shard is killed, another member takes the
 * shard over and the clients go on.
 */
class ShardedClusterIT {

    private static final int KEYS = 10_000;

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    private ClusterGroup cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = ClusterGroup.sharded(dir, logs, "kvs", 3);
        awaitServed();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private HostAndPort resp(int i) {
        var a = HostPort.parse(cluster.resp[i]);
        return new HostAndPort(a.getHostString(), a.getPort());
    }

    /**
     * Waits until every running process reports every shard led by its first leader, shard i by
     * process i (its Raft priority): CLUSTER INFO's cluster_state:ok, and CLUSTER NODES giving each
     * process its shard's slots.
     */
    private void awaitServed() {
        String[] slots = {"0-5460", "5461-10922", "10923-16383"};
        await("every shard led by its first leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (int i = 0; i < 3; i++) {
                        if (!cluster.members[i].process.isAlive()) {
                            continue;
                        }
                        try (Jedis j = new Jedis(resp(i))) {
                            if (!j.clusterInfo().contains("cluster_state:ok")) {
                                return false;
                            }
                            String nodes = j.clusterNodes();
                            for (int s = 0; s < 3; s++) {
                                int shard = s;
                                if (nodes.lines().noneMatch(l -> l.contains(":" + resp(shard).getPort() + "@")
                                        && l.endsWith(" " + slots[shard]))) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                });
    }

    /** How many keys each process serves (DBSIZE: the keys of the shards it leads). */
    private long servedKeys() {
        long n = 0;
        for (int i = 0; i < 3; i++) {
            try (Jedis j = new Jedis(resp(i))) {
                n += j.dbSize();
            }
        }
        return n;
    }

    @Test
    void jedisClusterWritesAndReadsTenThousandKeysAcrossAllSlots() {
        try (redis.clients.jedis.RedisClusterClient jedis = redis.clients.jedis.RedisClusterClient.create(Set.of(resp(0)))) {
            try (ClusterPipeline p = jedis.pipelined()) {
                for (int i = 0; i < KEYS; i++) {
                    p.set("jedis:" + i, "v" + i);
                }
                p.sync();
            }
            Map<Integer, Response<String>> read = new HashMap<>();
            try (ClusterPipeline p = jedis.pipelined()) {
                for (int i = 0; i < KEYS; i++) {
                    read.put(i, p.get("jedis:" + i));
                }
                p.sync();
            }
            for (int i = 0; i < KEYS; i++) {
                assertThat(read.get(i).get()).as("jedis:%d", i).isEqualTo("v" + i);
            }
            assertThat(jedis.get("jedis:42")).isEqualTo("v42");
            assertThat(jedis.mset("{user}.a", "1", "{user}.b", "2")).isEqualTo("OK");
            assertThat(jedis.mget("{user}.a", "{user}.b")).containsExactly("1", "2");
        }
        assertThat(servedKeys()).isEqualTo(KEYS + 2);
    }

    @Test
    void lettuceClusterClientWritesAndReadsTenThousandKeysAcrossAllSlots() {
        RedisClusterClient client = RedisClusterClient.create(RedisURI.create(resp(1).getHost(), resp(1).getPort()));
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            RedisAdvancedClusterAsyncCommands<String, String> async = c.async();
            List<RedisFuture<String>> sets = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                sets.add(async.set("lettuce:" + i, "v" + i));
            }
            assertThat(LettuceFutures.awaitAll(60, TimeUnit.SECONDS, sets.toArray(RedisFuture[]::new))).isTrue();
            for (RedisFuture<String> f : sets) {
                assertThat(f.toCompletableFuture().join()).isEqualTo("OK");
            }
            List<RedisFuture<String>> gets = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                gets.add(async.get("lettuce:" + i));
            }
            assertThat(LettuceFutures.awaitAll(60, TimeUnit.SECONDS, gets.toArray(RedisFuture[]::new))).isTrue();
            for (int i = 0; i < KEYS; i++) {
                assertThat(gets.get(i).toCompletableFuture().join()).as("lettuce:%d", i).isEqualTo("v" + i);
            }
            assertThat(c.sync().clusterMyId()).matches("[0-9a-f]{40}");
        } finally {
            client.shutdown();
        }
        assertThat(servedKeys()).isEqualTo(KEYS);
    }

    @Test
    void aPlainConnectionIsRedirectedToTheSlotsProcessAndRefusedKeysOfSeveralSlots() {
        SlotMap map = SlotMap.even(3);
        int slot = HashSlot.of(Bytes.utf8("foo")); // 12182: shard 2, first led by n3
        try (Jedis first = new Jedis(resp(0))) {
            String other = null;
            try {
                first.set("foo", "1");
            } catch (JedisDataException e) {
                other = e.getMessage();
            }
            assertThat(other).isEqualTo("MOVED " + slot + " " + cluster.resp[map.owner(slot)]);
            try {
                first.mget("bar", "hello");
            } catch (JedisDataException e) {
                other = e.getMessage();
            }
            assertThat(other).isEqualTo("CROSSSLOT Keys in request don't hash to the same slot");
            assertThat(first.clusterKeySlot("foo")).isEqualTo(slot);
        }
        try (Jedis owner = new Jedis(resp(map.owner(slot)))) {
            assertThat(owner.set("foo", "1")).isEqualTo("OK");
            assertThat(owner.clusterCountKeysInSlot(slot)).isEqualTo(1);
            assertThat(owner.clusterGetKeysInSlot(slot, 10)).containsExactly("foo");
        }
    }

    private Programs.Result kvsClient(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServerProcess.HOME.resolve("bin").resolve("kvs-client").toString()));
        command.addAll(List.of(args));
        return Programs.run(new ProcessBuilder(command), logs);
    }

    @Test
    void kvsClientGivenAnyProcessFollowsTheKeysSlotToItsProcess() throws Exception {
        // foo: slot 12182, served by n3; bar: slot 5061, by n1
        assertThat(kvsClient("--addr", cluster.kvs[0], "set", "foo", "1").exit()).isZero();
        Programs.Result get = kvsClient("--addr", cluster.kvs[1], "get", "foo");
        assertThat(get.exit()).isZero();
        assertThat(get.out()).isEqualTo("1\n");
        assertThat(kvsClient("--addr", String.join(",", cluster.kvs), "set", "bar", "2").exit()).isZero();
        assertThat(kvsClient("--addr", String.join(",", cluster.kvs[2], cluster.kvs[1]), "get", "bar").out()).isEqualTo("2\n");
        Programs.Result mget = kvsClient("--addr", cluster.kvs[0], "mget", "foo", "bar");
        assertThat(mget.exit()).isEqualTo(1);
        assertThat(mget.err()).contains("must hash to one slot");
        try (Jedis n3 = new Jedis(resp(2))) {
            assertThat(n3.get("foo")).isEqualTo("1");
        }
        Programs.Result view = kvsClient("--addr", cluster.kvs[1], "cluster");
        assertThat(view.exit()).isZero();
        assertThat(view.out().lines()).hasSize(4).satisfiesExactly(
                l -> assertThat(l).isEqualTo(cluster.kvs[1] + " n2 slot map epoch 1"),
                l -> assertThat(l).startsWith(cluster.kvs[1] + " n2 shard 0 slots 0-5460 members n1,n2,n3 follower term ")
                        .contains(" leader n1 "),
                l -> assertThat(l).startsWith(cluster.kvs[1] + " n2 shard 1 slots 5461-10922 members n2,n1,n3 leader term ")
                        .contains(" leader n2 "),
                l -> assertThat(l).startsWith(cluster.kvs[1] + " n2 shard 2 slots 10923-16383 members n3,n1,n2 follower term ")
                        .contains(" leader n3 "));
    }

    /**
     * kvs-client cluster move-slots moves 1,000 slots (0's highest) to shard 1 while Jedis's cluster
     * client writes keys of every slot: it follows the slots to their new process, every write it
     * saw acknowledged is there after, and CLUSTER SLOTS gives the new map; a move that cannot be is
     * refused with a message and exit status 1.
     */
    @Test
    void kvsClientMovesSlotsWhileAClusterClientWrites() throws Exception {
        try (Writer writer = new Writer("move:", 2000)) {
            Programs.Result move = kvsClient("--addr", cluster.kvs[2], "cluster", "move-slots", "0", "1", "1000");
            assertThat(move.exit()).as(move.err()).isZero();
            assertThat(move.out()).isEqualTo("moved 1000 slots from shard 0 to shard 1: shard 0 slots 0-4460, shard 1 slots 4461-10922\n");
            writer.checkAfterMoreWrites();
        }
        try (Jedis n1 = new Jedis(resp(0))) {
            String ownSlots = n1.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
            assertThat(ownSlots).endsWith(" 0-4460");
            assertThat(n1.clusterInfo()).contains("cluster_current_epoch:2"); // 1,000 slots of few keys: one run, one new map
        }
        Programs.Result same = kvsClient("--addr", cluster.kvs[0], "cluster", "move-slots", "1", "1", "5");
        assertThat(same.exit()).isEqualTo(1);
        assertThat(same.err()).isEqualTo("move-slots: server error bad_request: a move is between two shards of the 3 (0 to 2): not 1 to 1\n");
        assertThat(kvsClient("--addr", cluster.kvs[0], "cluster", "move-slots", "0", "1", "0").exit()).isEqualTo(2);
    }

    @Test
    void aFourthProcessAndShardAreAddedAndRebalancedWhileAClusterClientWrites() throws Exception {
        ClusterGroup.Joined n4 = cluster.join("n4");
        try (Writer writer = new Writer("grow:", 2000)) {
            Programs.Result add = kvsClient("--addr", cluster.kvs[1], "cluster", "add-shard", n4.spec(), "n1", "n2");
            assertThat(add.exit()).as(add.err()).isZero();
            assertThat(add.out()).isEqualTo("added shard 3: members n4 n1 n2\n");
            Programs.Result again = kvsClient("--addr", cluster.kvs[0], "cluster", "add-shard", "n4", "n9", "n2");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("add-shard: server error bad_request: no process 'n9' in the cluster: name a new one as "
                    + "ID=KVS,RAFT,RESP\n");
            Programs.Result rebalance = kvsClient("--addr", cluster.kvs[2], "cluster", "rebalance");
            assertThat(rebalance.exit()).as(rebalance.err()).isZero();
            assertThat(rebalance.out()).isEqualTo("shard 0 slots 0-4095\nshard 1 slots 5461-9556\nshard 2 slots 10923-15018\n"
                    + "shard 3 slots 4096-5460,9557-10922,15019-16383\n");
            writer.checkAfterMoreWrites();
        }
        Programs.Result view = kvsClient("--addr", cluster.kvs[2], "cluster");
        assertThat(view.out().lines()).contains(
                cluster.kvs[2] + " n3 shard 3 slots 4096-5460,9557-10922,15019-16383 members n4,n1,n2 not a member");
        var n4resp = HostPort.parse(n4.resp());
        try (Jedis j = new Jedis(n4resp.getHostString(), n4resp.getPort())) {
            await("n4 serves shard 3's slots").atMost(Duration.ofSeconds(30)).until(() -> j.clusterNodes().lines()
                    .anyMatch(l -> l.contains("myself") && l.endsWith(" 4096-5460 9557-10922 15019-16383")));
            assertThat(j.clusterNodes().lines()).hasSize(4);
        }
    }

    @Test
    void aGroupClientLearnsEachSlotsProcessFromItsFirstMove() throws Exception {
        List<Bytes> keys = new ArrayList<>();
        for (String tag : List.of("a", "b", "c", "d", "e", "f")) { // six slots, over the three processes
            for (int i = 0; i < 50; i++) {
                keys.add(Bytes.utf8("{" + tag + "}" + i));
            }
        }
        try (GroupClient client = GroupClient.of(cluster.addresses(), KvsClient.Options.defaults())) {
            for (Bytes k : keys) {
                client.set(k, k);
            }
            for (Bytes k : keys) {
                assertThat(client.getBytes(k)).contains(k);
            }
        }
        long moved = 0;
        for (int i = 0; i < 3; i++) {
            try (KvsClient direct = KvsClient.connect(cluster.addresses().get(i))) {
                Object n = direct.stats().get("errors_moved");
                moved += n == null ? 0 : ((Number) n).longValue();
            }
        }
        assertThat(moved).as("moved answers: one at most for each of six slots").isBetween(1L, 6L);
        assertThat(servedKeys()).isEqualTo(keys.size());
    }

    /** A key whose slot is {@code shard}'s in the even map of three shards. */
    private static String keyOfShard(int shard) {
        SlotMap map = SlotMap.even(3);
        for (int i = 0; ; i++) {
            String k = "after:" + i;
            if (map.owner(HashSlot.of(Bytes.utf8(k))) == shard) {
                return k;
            }
        }
    }

    @Test
    void whenAShardsLeaderIsKilledAnotherMemberServesItAndClientsGoOn() throws Exception {
        try (redis.clients.jedis.RedisClusterClient jedis = redis.clients.jedis.RedisClusterClient.create(Set.of(resp(0), resp(1), resp(2)))) {
            for (int i = 0; i < 300; i++) {
                jedis.set("before:" + i, "v" + i);
            }
            cluster.members[1].kill(); // n2 leads shard 1
            String ofShard1 = keyOfShard(1);
            // Until the two left elect a leader of shard 1, its requests fail (a client retries): await the first write.
            await("another member serves shard 1").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> "OK".equals(jedis.set(ofShard1, "x")));
            for (int i = 0; i < 300; i++) {
                assertThat(jedis.get("before:" + i)).as("before:%d", i).isEqualTo("v" + i);
            }
            cluster.restart(1);
            awaitServed();
            for (int i = 0; i < 300; i++) {
                jedis.set("again:" + i, "w" + i);
            }
            for (int i = 0; i < 300; i++) {
                assertThat(jedis.get("again:" + i)).isEqualTo("w" + i);
                assertThat(jedis.get("before:" + i)).isEqualTo("v" + i);
            }
        }
    }

    /**
     * Jedis's cluster client writing keys {@code PREFIX0}... over and over from {@value #WRITERS}
     * threads (each key written by one of them, each write's value its thread's next sequence
     * number), from the start: {@link #checkAfterMoreWrites} stops them once they have gone round
     * the keys again, and checks that each key holds its last acknowledged value, or a later one
     * whose write's outcome was not learned.
     */
    private final class Writer implements AutoCloseable {
        private static final int WRITERS = 4;
        private final String prefix;
        private final int keys;
        private final Map<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Set<Long>> unknown = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final redis.clients.jedis.RedisClusterClient jedis = redis.clients.jedis.RedisClusterClient.create(Set.of(resp(0)));
        private final List<Thread> threads = new ArrayList<>();

        /** Starts writing, and returns once every key has been written once. */
        Writer(String prefix, int keys) {
            this.prefix = prefix;
            this.keys = keys;
            for (int t = 0; t < WRITERS; t++) {
                int first = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (long seq = 0; !stop.get(); seq++) {
                        for (int i = first; i < keys && !stop.get(); i += WRITERS) {
                            String k = prefix + i;
                            unknown.computeIfAbsent(k, x -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(seq);
                            try {
                                jedis.set(k, Long.toString(seq));
                                acked.put(k, seq);
                                unknown.get(k).clear();
                                acknowledged.incrementAndGet();
                            } catch (RuntimeException e) {
                                // its outcome unknown (a timeout while the slot was held): either value may be there
                            }
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() == keys);
        }

        void checkAfterMoreWrites() {
            long before = acknowledged.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() > before + keys);
            stopWriting();
            for (int i = 0; i < keys; i++) {
                String k = prefix + i;
                long held = Long.parseLong(jedis.get(k));
                assertThat(held == acked.get(k) || held > acked.get(k) && unknown.get(k).contains(held))
                        .as("%s holds %d; acknowledged %d", k, held, acked.get(k)).isTrue();
            }
        }

        @Override
        public void close() {
            stopWriting();
            jedis.close();
        }

        private void stopWriting() {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
