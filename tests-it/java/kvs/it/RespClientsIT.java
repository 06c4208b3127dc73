package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import kvs.client.KvsClient;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** Unmodified Jedis and Lettuce, in RESP2 and RESP3, against a kvs-server process's RESP listener. */
class RespClientsIT {

    @TempDir
    static Path dir;
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        server = ServerProcess.start(data, dir, "--resp-addr", "127.0.0.1:0");
        assertThat(server.respPort()).isPositive();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HostAndPort resp() {
        return new HostAndPort("127.0.0.1", server.respPort());
    }

    private static Jedis jedis(RedisProtocol protocol) {
        return new Jedis(resp(), DefaultJedisClientConfig.builder().protocol(protocol).clientName("it-" + protocol)
                .timeoutMillis(30_000).build());
    }

    @BeforeEach
    void empty() {
        try (Jedis j = jedis(RedisProtocol.RESP2)) {
            j.flushDB();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    @SuppressWarnings("deprecation") // SETNX and GETSET: deprecated by Redis, still commands kvs serves
    void jedis_commands(RedisProtocol protocol) {
        try (Jedis j = jedis(protocol)) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.clientGetname()).isEqualTo("it-" + protocol); // set by the client's own handshake
            assertThat(j.echo("é")).isEqualTo("é");
            assertThat(j.set("k", "v")).isEqualTo("OK");
            assertThat(j.get("k")).isEqualTo("v");
            assertThat(j.get("missing")).isNull();
            assertThat(j.set("k", "w", SetParams.setParams().nx())).isNull();
            assertThat(j.setGet("k", "w")).isEqualTo("v");
            assertThat(j.setnx("k2", "x")).isEqualTo(1);
            assertThat(j.getSet("k2", "y")).isEqualTo("x");
            assertThat(j.getDel("k2")).isEqualTo("y");
            assertThat(j.mset("a", "1", "b", "2")).isEqualTo("OK");
            assertThat(j.mget("a", "nope", "b")).containsExactly("1", null, "2");
            assertThat(j.msetnx("b", "3", "c", "3")).isZero();
            assertThat(j.exists("a", "b", "c")).isEqualTo(2);
            assertThat(j.del("a", "c")).isEqualTo(1);
            assertThat(j.unlink("b")).isEqualTo(1);
            assertThat(j.type("k")).isEqualTo("string");
            assertThat(j.append("k", "xyz")).isEqualTo(4);
            assertThat(j.strlen("k")).isEqualTo(4);
            assertThat(j.getrange("k", 1, -1)).isEqualTo("xyz");
            assertThat(j.setrange("k", 0, "W")).isEqualTo(4);
            assertThat(j.get("k")).isEqualTo("Wxyz");
            assertThat(j.incr("n")).isEqualTo(1);
            assertThat(j.incrBy("n", 10)).isEqualTo(11);
            assertThat(j.decr("n")).isEqualTo(10);
            assertThat(j.decrBy("n", 5)).isEqualTo(5);
            assertThat(j.incrByFloat("f", 2.5)).isEqualTo(2.5);
            assertThatThrownBy(() -> j.incr("k")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
            assertThat(j.dbSize()).isEqualTo(3);
            assertThat(new HashSet<>(j.keys("*"))).containsExactlyInAnyOrder("k", "n", "f");
            assertThat(j.randomKey()).isIn("k", "n", "f");
            assertThat(j.select(0)).isEqualTo("OK");
            assertThat(j.time()).hasSize(2);
            assertThat(j.info("keyspace")).contains("db0:keys=3");
            assertThat(j.configGet("appendonly")).containsEntry("appendonly", "yes");
            assertThat(j.clientId()).isPositive();
            assertThat(j.flushAll()).isEqualTo("OK");
            assertThat(j.dbSize()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void jedis_scanAndPipeline(RedisProtocol protocol) {
        try (Jedis j = jedis(protocol)) {
            Pipeline p = j.pipelined();
            List<Response<Long>> increments = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                p.set("key:" + i, "v" + i);
                increments.add(p.incr("counter"));
            }
            Response<String> last = p.get("key:2999");
            p.sync();
            assertThat(increments.get(2999).get()).isEqualTo(3000);
            assertThat(last.get()).isEqualTo("v2999");
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().match("key:*").count(100));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(seen).hasSize(3000);
        }
    }

    /** Deadlines set with Jedis's parameters; a deadline in the past takes a key away at once, so nothing waits. */
    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    @SuppressWarnings("deprecation") // SETEX and PSETEX: deprecated in Jedis for SET's EX/PX, still commands apps send
    void jedis_expiry(RedisProtocol protocol) {
        try (Jedis j = jedis(protocol)) {
            assertThat(j.set("session", "s1", SetParams.setParams().ex(100))).isEqualTo("OK");
            assertThat(j.ttl("session")).isBetween(99L, 100L);
            assertThat(j.set("lock", "token", SetParams.setParams().nx().px(30_000))).isEqualTo("OK");
            assertThat(j.set("lock", "other", SetParams.setParams().nx().px(30_000))).isNull();
            assertThat(j.set("lock", "token2", SetParams.setParams().xx().keepTtl())).isEqualTo("OK");
            assertThat(j.pttl("lock")).isBetween(1L, 30_000L);
            assertThat(j.setex("a", 60, "1")).isEqualTo("OK");
            assertThat(j.incr("a")).isEqualTo(2);
            assertThat(j.ttl("a")).isBetween(59L, 60L);
            assertThat(j.psetex("b", 60_000, "x")).isEqualTo("OK");
            assertThat(j.getEx("b", GetExParams.getExParams().persist())).isEqualTo("x");
            assertThat(j.ttl("b")).isEqualTo(-1);
            assertThat(j.expire("b", 100, ExpiryOption.NX)).isEqualTo(1);
            assertThat(j.expire("b", 50, ExpiryOption.GT)).isZero();
            long at = System.currentTimeMillis() / 1000 + 1000;
            assertThat(j.expireAt("b", at)).isEqualTo(1);
            assertThat(j.expireTime("b")).isEqualTo(at);
            assertThat(j.persist("b")).isEqualTo(1);
            assertThat(j.ttl("missing")).isEqualTo(-2);
            assertThat(j.set("old", "v", SetParams.setParams().pxAt(1))).isEqualTo("OK");
            assertThat(j.get("old")).isNull();
            assertThat(j.exists("old")).isFalse();
            assertThat(j.pexpireAt("session", 1)).isEqualTo(1);
            assertThat(j.get("session")).isNull();
            assertThat(j.rename("lock", "lock2")).isEqualTo("OK");
            assertThat(j.get("lock2")).isEqualTo("token2");
            assertThat(j.copy("lock2", "lock3", false)).isTrue();
            assertThat(j.pexpireTime("lock3")).isEqualTo(j.pexpireTime("lock2")).isPositive();
            assertThatThrownBy(() -> j.setex("c", 0, "v")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR invalid expire time in 'setex' command");
            assertThat(j.del("old")).isZero(); // not present, yet stored until removed (by this, or the expiry cycle)
            assertThat(j.info("keyspace")).contains("db0:keys=4,expires=3,avg_ttl=");
        }
    }

    @Test
    void jedis_poolUnder32Threads_incrementsExactly() throws Exception {
        try (redis.clients.jedis.RedisClient pool = redis.clients.jedis.RedisClient.create(resp())) { // a connection pool
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 32; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 500; i++) {
                            pool.incr("shared");
                            if (i % 50 == 0) {
                                pool.set("thread:" + id, Integer.toString(i));
                            }
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
            assertThat(pool.get("shared")).isEqualTo("16000");
        }
    }

    private static RedisClient lettuce(ProtocolVersion version) {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.respPort())
                .withClientName("lettuce").withTimeout(Duration.ofSeconds(30)).build());
        client.setOptions(ClientOptions.builder().protocolVersion(version).build());
        return client;
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettuce_syncAndPipelined(ProtocolVersion version) throws Exception {
        RedisClient client = lettuce(version);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> r = connection.sync();
            assertThat(r.clientGetname()).isEqualTo("lettuce");
            assertThat(r.set("k", "v")).isEqualTo("OK");
            assertThat(r.get("k")).isEqualTo("v");
            assertThat(r.get("missing")).isNull();
            assertThat(r.set("k", "x", SetArgs.Builder.xx())).isEqualTo("OK");
            assertThat(r.setGet("k", "y")).isEqualTo("x");
            assertThat(r.incrby("n", 5)).isEqualTo(5);
            assertThat(r.incrbyfloat("f", 0.5)).isEqualTo(0.5);
            assertThat(r.mset(Map.of("a", "1", "b", "2"))).isEqualTo("OK");
            assertThat(r.exists("a", "b", "zz")).isEqualTo(2);
            assertThat(r.del("a", "b", "zz")).isEqualTo(2);
            assertThat(r.dbsize()).isEqualTo(3);
            KeyScanCursor<String> page = r.scan(ScanCursor.INITIAL, ScanArgs.Builder.limit(100));
            assertThat(page.getKeys()).containsExactlyInAnyOrder("k", "n", "f");
            assertThat(page.isFinished()).isTrue();
            assertThat(r.info("server")).contains("redis_version:7.2.0");

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                futures.add(async.incr("pipelined"));
            }
            connection.flushCommands();
            connection.setAutoFlushCommands(true);
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
        } finally {
            client.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    @SuppressWarnings("deprecation") // SETEX and PSETEX: deprecated in Lettuce for SET's EX/PX, still commands apps send
    void lettuce_expiry(ProtocolVersion version) {
        RedisClient client = lettuce(version);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> r = connection.sync();
            assertThat(r.set("k", "v", SetArgs.Builder.px(5000))).isEqualTo("OK");
            assertThat(r.pttl("k")).isBetween(1L, 5000L);
            assertThat(r.set("k", "v", SetArgs.Builder.ex(Duration.ofMinutes(1)).xx())).isEqualTo("OK");
            assertThat(r.ttl("k")).isBetween(59L, 60L);
            assertThat(r.expire("k", Duration.ofSeconds(10), ExpireArgs.Builder.lt())).isTrue();
            assertThat(r.expire("k", 100, ExpireArgs.Builder.lt())).isFalse();
            assertThat(r.getex("k", GetExArgs.Builder.persist())).isEqualTo("v");
            assertThat(r.ttl("k")).isEqualTo(-1);
            Instant at = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            assertThat(r.pexpireat("k", at)).isTrue();
            assertThat(r.expiretime("k")).isEqualTo(at.getEpochSecond());
            assertThat(r.copy("k", "k2", CopyArgs.Builder.replace(true))).isTrue();
            assertThat(r.pttl("k2")).isPositive();
            assertThat(r.persist("k2")).isTrue();
            assertThat(r.setex("s", 30, "x")).isEqualTo("OK");
            assertThat(r.psetex("p", 30_000, "y")).isEqualTo("OK");
            assertThat(r.pexpire("p", -1)).isTrue(); // in the past: removed
            assertThat(r.get("p")).isNull();
            assertThat(r.set("past", "v", SetArgs.Builder.exAt(1))).isEqualTo("OK");
            assertThat(r.exists("past")).isZero();
        } finally {
            client.shutdown();
        }
    }

    /** A serialized Java object, as every Java cache library stores one, with every byte value: unchanged through Jedis, Lettuce and KvsClient. */
    @Test
    void binaryKeysAndValues_roundTripThroughJedisLettuceAndKvsClient() throws Exception {
        java.io.ByteArrayOutputStream serialized = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(serialized)) {
            out.writeObject(new java.util.TreeMap<>(Map.of("user", 42L, "roles", List.of("a", "b"))));
        }
        byte[] object = serialized.toByteArray();
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        byte[] key = {(byte) 0xAC, (byte) 0xED, 0, '\r', '\n', (byte) 0xFF};
        try (Jedis j = jedis(RedisProtocol.RESP2); KvsClient kvs = KvsClient.connect(server.address())) {
            assertThat(j.set(key, object)).isEqualTo("OK");
            assertThat(j.get(key)).isEqualTo(object);
            assertThat(j.strlen(key)).isEqualTo(object.length);
            assertThat(j.keys(new byte[] {(byte) 0xAC, '*'})).singleElement().isEqualTo(key);
            assertThat(kvs.getBytes(Bytes.wrap(key.clone()))).hasValue(Bytes.wrap(object.clone()));
            kvs.set(Bytes.utf8("every byte"), Bytes.wrap(every.clone()));
            assertThat(j.get("every byte".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(every);
            assertThatThrownBy(() -> kvs.get("every byte")).hasMessageContaining("getBytes");
        }
        RedisClient client = lettuce(ProtocolVersion.RESP3);
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> r = connection.sync();
            assertThat(r.get(key)).isEqualTo(object);
            assertThat(r.append(key, every)).isEqualTo(object.length + every.length);
            assertThat(r.getrange(key, object.length, -1)).isEqualTo(every);
            assertThat(r.mget(key, new byte[] {0}).get(1).hasValue()).isFalse();
            assertThat(r.exists(key)).isEqualTo(1);
            assertThat(r.del(key)).isEqualTo(1);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void bothProtocols_seeTheSameData() throws Exception {
        try (Jedis j = jedis(RedisProtocol.RESP3); KvsClient kvs = KvsClient.connect(server.address())) {
            j.set("from-redis", "é");
            assertThat(kvs.get("from-redis")).hasValue("é");
            kvs.set("from-kvs", "41");
            assertThat(j.incr("from-kvs")).isEqualTo(42);
            assertThat(kvs.get("from-kvs")).hasValue("42");
        }
    }
}
