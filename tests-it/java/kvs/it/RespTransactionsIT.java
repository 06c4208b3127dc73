package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import kvs.client.KvsClient;
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
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Transactions (MULTI, EXEC, DISCARD, WATCH) through unmodified Jedis and Lettuce, in RESP2 and
 * RESP3, against a kvs-server process's RESP listener: each command's reply in the EXEC's, an
 * EXEC a watched key's change aborts, EXECABORT after a command refused while queueing, and
 * clients racing to increment one counter with WATCH retries.
 */
class RespTransactionsIT {

    private static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

    @TempDir
    static Path dir;
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        server = ServerProcess.start(data, dir, "--resp-addr", "127.0.0.1:0");
        assertThat(server.respPort()).isPositive();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Jedis jedis(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.respPort()),
                DefaultJedisClientConfig.builder().protocol(protocol).timeoutMillis(30_000).build());
    }

    private static RedisClient lettuce(ProtocolVersion version) {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.respPort())
                .withTimeout(Duration.ofSeconds(30)).build());
        client.setOptions(ClientOptions.builder().protocolVersion(version).build());
        return client;
    }

    @BeforeEach
    void empty() {
        try (Jedis j = jedis(RedisProtocol.RESP2)) {
            j.flushDB();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void jedis_multiExec_answersEachCommandAndAppliesAllButTheFailedOne(RedisProtocol protocol) {
        try (Jedis j = jedis(protocol)) {
            j.set("word", "abc");
            Transaction t = j.multi();
            Response<String> set = t.set("k", "1");
            Response<Long> incremented = t.incrBy("k", 41);
            Response<String> read = t.get("k");
            Response<List<String>> both = t.mget("k", "missing");
            Response<Long> failed = t.incr("word");
            Response<Long> removed = t.del("word");
            List<Object> replies = t.exec();

            assertThat(replies).hasSize(6);
            assertThat(set.get()).isEqualTo("OK");
            assertThat(incremented.get()).isEqualTo(42);
            assertThat(read.get()).isEqualTo("42"); // the transaction reads its own writes
            assertThat(both.get()).containsExactly("42", null);
            assertThat(replies.get(4)).isInstanceOf(JedisDataException.class);
            assertThatThrownBy(failed::get).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
            assertThat(removed.get()).isEqualTo(1);
            assertThat(j.get("k")).isEqualTo("42");
            assertThat(j.exists("word")).isFalse();

            assertThat(j.multi().exec()).isEmpty();
            Transaction discarded = j.multi();
            discarded.set("never", "1");
            assertThat(discarded.discard()).isEqualTo("OK");
            assertThat(j.exists("never")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void jedis_watch_execReturnsNullAfterAnotherConnectionWrites(RedisProtocol protocol) {
        try (Jedis watcher = jedis(protocol); Jedis other = jedis(protocol)) {
            watcher.set("balance", "100");
            assertThat(watcher.watch("balance")).isEqualTo("OK");
            int balance = Integer.parseInt(watcher.get("balance"));
            assertThat(other.set("balance", "100")).isEqualTo("OK"); // the same value, yet a write
            Transaction t = watcher.multi();
            t.set("balance", Integer.toString(balance - 30));
            t.set("audit", "withdrew 30");
            assertThat(t.exec()).isNull();
            assertThat(watcher.get("balance")).isEqualTo("100");
            assertThat(watcher.exists("audit")).isFalse();

            assertThat(watcher.watch("balance")).isEqualTo("OK"); // EXEC let go of the old watch
            Transaction again = watcher.multi();
            again.decrBy("balance", 30);
            assertThat(again.exec()).containsExactly(70L);
        }
    }

    /** A write over the kvs protocol breaks a RESP client's watch too: both protocols write one store. */
    @Test
    void jedis_watch_isBrokenByAWriteOverTheKvsProtocol() throws Exception {
        try (Jedis watcher = jedis(RedisProtocol.RESP3); KvsClient kvs = KvsClient.connect(server.address())) {
            assertThat(watcher.watch("shared")).isEqualTo("OK");
            kvs.set("shared", "from kvs");
            Transaction t = watcher.multi();
            t.set("shared", "from redis");
            assertThat(t.exec()).isNull();
            assertThat(kvs.get("shared")).hasValue("from kvs");

            assertThat(watcher.watch("shared")).isEqualTo("OK");
            kvs.remove("shared");
            Transaction after = watcher.multi();
            after.set("shared", "from redis");
            assertThat(after.exec()).isNull();
            assertThat(kvs.get("shared")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void jedis_commandRefusedWhileQueueing_execThrowsExecAbortAndWritesNothing(RedisProtocol protocol) {
        try (Jedis j = jedis(protocol)) {
            Transaction unknown = j.multi();
            unknown.set("a", "1");
            unknown.sendCommand(() -> "NOSUCH".getBytes(StandardCharsets.UTF_8), "x");
            unknown.set("b", "2");
            assertThatThrownBy(unknown::exec).isInstanceOf(JedisDataException.class).hasMessage(EXECABORT);
            assertThat(j.exists("a", "b")).isZero();

            Transaction arity = j.multi();
            arity.set("a", "1");
            arity.sendCommand(Protocol.Command.GET, new String[0]); // no key: the wrong number of arguments
            assertThatThrownBy(arity::exec).isInstanceOf(JedisDataException.class).hasMessage(EXECABORT);
            assertThat(j.exists("a")).isFalse();
            assertThat(j.ping()).isEqualTo("PONG"); // the connection goes on
        }
    }

    /**
     * Threads each increment one counter on a connection of their own: WATCH, GET, MULTI, SET,
     * EXEC, again if EXEC answers null. The race is real: without the WATCH this test, and the
     * Lettuce one, ended at 43 of 200 and 27 of 100 (checked when written).
     */
    @Test
    void jedis_watchCounterRace_countsEveryIncrementOnce() throws Exception {
        int threads = 8;
        int increments = 25;
        race(threads, () -> {
            try (Jedis j = jedis(RedisProtocol.RESP2)) {
                for (int i = 0; i < increments; i++) {
                    while (true) {
                        j.watch("counter");
                        String value = j.get("counter");
                        Transaction t = j.multi();
                        t.set("counter", Integer.toString(value == null ? 1 : Integer.parseInt(value) + 1));
                        if (t.exec() != null) {
                            break;
                        }
                    }
                }
            }
        });
        try (Jedis j = jedis(RedisProtocol.RESP2)) {
            assertThat(j.get("counter")).isEqualTo(Integer.toString(threads * increments));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettuce_multiExec_transactionResultHoldsEachReply(ProtocolVersion version) {
        RedisClient client = lettuce(version);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> r = connection.sync();
            r.set("word", "abc");
            assertThat(r.multi()).isEqualTo("OK");
            assertThat(r.set("k", "1")).isNull(); // answered by EXEC
            r.incrby("k", 41);
            r.get("k");
            r.get("missing");
            r.incr("word");
            r.exists("k", "word", "missing");
            TransactionResult result = r.exec();

            assertThat(result.wasDiscarded()).isFalse();
            assertThat(result.size()).isEqualTo(6);
            assertThat((String) result.get(0)).isEqualTo("OK");
            assertThat((Long) result.get(1)).isEqualTo(42);
            assertThat((String) result.get(2)).isEqualTo("42");
            assertThat((String) result.get(3)).isNull();
            assertThat((Throwable) result.get(4)).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage("ERR value is not an integer or out of range");
            assertThat((Long) result.get(5)).isEqualTo(2);
            assertThat(r.get("k")).isEqualTo("42");

            assertThat(r.multi()).isEqualTo("OK");
            TransactionResult empty = r.exec();
            assertThat(empty.wasDiscarded()).isFalse();
            assertThat(empty.isEmpty()).isTrue();
        } finally {
            client.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettuce_watch_wasDiscardedAfterAConflictingWrite(ProtocolVersion version) {
        RedisClient client = lettuce(version);
        try (StatefulRedisConnection<String, String> watching = client.connect();
                StatefulRedisConnection<String, String> writing = client.connect()) {
            RedisCommands<String, String> w = watching.sync();
            w.set("stock", "5");
            assertThat(w.watch("stock")).isEqualTo("OK");
            int stock = Integer.parseInt(w.get("stock"));
            assertThat(writing.sync().decr("stock")).isEqualTo(4);
            w.multi();
            w.set("stock", Integer.toString(stock - 1));
            w.set("order", "1");
            TransactionResult result = w.exec();
            assertThat(result.wasDiscarded()).isTrue();
            assertThat(result.isEmpty()).isTrue();
            assertThat(w.get("stock")).isEqualTo("4");
            assertThat(w.exists("order")).isZero();

            assertThat(w.watch("stock")).isEqualTo("OK");
            assertThat(w.unwatch()).isEqualTo("OK");
            writing.sync().decr("stock"); // no longer watched
            w.multi();
            w.decr("stock");
            assertThat(w.exec().wasDiscarded()).isFalse();
            assertThat(w.get("stock")).isEqualTo("2");
        } finally {
            client.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettuce_commandRefusedWhileQueueing_execThrowsExecAbort(ProtocolVersion version) {
        RedisClient client = lettuce(version);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> r = connection.sync();
            r.multi();
            r.set("a", "1");
            r.dispatch(CommandType.GET, new ValueOutput<>(StringCodec.UTF8)); // no key: the wrong number of arguments
            assertThatThrownBy(r::exec).isInstanceOf(RedisCommandExecutionException.class).hasMessage(EXECABORT);
            assertThat(r.exists("a")).isZero();
            assertThatThrownBy(r::exec).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage("ERR EXEC without MULTI");
        } finally {
            client.shutdown();
        }
    }

    /** Lettuce connections, in RESP3, each incrementing one counter with WATCH retries. */
    @Test
    void lettuce_watchCounterRace_countsEveryIncrementOnce() throws Exception {
        int connections = 4;
        int increments = 25;
        RedisClient client = lettuce(ProtocolVersion.RESP3);
        try {
            race(connections, () -> {
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    RedisCommands<String, String> r = connection.sync();
                    for (int i = 0; i < increments; i++) {
                        TransactionResult result;
                        do {
                            r.watch("counter");
                            String value = r.get("counter");
                            r.multi();
                            r.set("counter", Long.toString(value == null ? 1 : Long.parseLong(value) + 1));
                            result = r.exec();
                        } while (result.wasDiscarded());
                    }
                }
            });
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().get("counter")).isEqualTo(Integer.toString(connections * increments));
            }
        } finally {
            client.shutdown();
        }
    }

    /** Runs {@code work} on {@code threads} threads at once; fails with the first failure of any. */
    private static void race(int threads, ThrowingRunnable work) throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().name("racer-" + t).start(() -> {
                try {
                    work.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
