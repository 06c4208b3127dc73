package kvs.resp;

import static kvs.resp.RespServerTest.cmd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import kvs.check.Ports;
import kvs.cluster.ClusterConfig;
import kvs.cluster.ClusterNode;
import kvs.cluster.Member;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.ManualClock;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key expiry over RESP, byte for byte as Redis 7.2 answers (its edge cases that a store of
 * strings has, checked against a redis-server), over each engine and a group's member (its
 * read-modify-writes through its log) with a clock the tests move: time passes only when a test
 * says so.
 */
class RespExpiryTest {

    private static final String OK = "+OK\r\n";
    private static final String NULL = "$-1\r\n";
    private static final String SYNTAX = "-ERR syntax error\r\n";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private TestServer fixture;
    private Socket s;

    static Stream<String> engines() {
        return Stream.of("kvs", "mvstore", "member");
    }

    /** Serves {@code engine} without the active expiry cycle: an expired key stays stored until a write removes it. */
    private void start(String engine) throws Exception {
        serve(open(engine), false);
    }

    private Store open(String engine) throws Exception {
        EngineOptions options = EngineOptions.defaults().withClock(clock);
        return switch (engine) {
            case "kvs" -> KvStore.open(dir, options);
            case "mvstore" -> MvStoreEngine.open(dir, options);
            default -> member(dir, options);
        };
    }

    /**
     * A one-member replicated group over KvStore, leading: the leader's read-modify-writes go
     * through its log as of its time, its reads are linearizable, and its expiry cycle removes.
     */
    static Store member(Path dir, EngineOptions options) throws Exception {
        InetSocketAddress raft = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        InetSocketAddress kvs = new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
        Member self = new Member("m1", kvs, raft);
        ClusterConfig config = new ClusterConfig(self.id(), List.of(self), "resp", Duration.ofMillis(100), dir.resolve("raft"));
        ClusterNode node = ClusterNode.start(config, KvStore.open(dir.resolve("engine"), options.withCompactionExpires(false)));
        try {
            await("a one-member group that leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(node::isReadyLeader);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void serve(Store store, boolean activeExpiry) throws Exception {
        fixture = TestServer.kvsAndResp(store, new RespProtocol.Settings("test", Map.of()),
                KvsServer.Options.defaults().withActiveExpiry(activeExpiry));
        s = fixture.connect(1);
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Sends one request and returns its reply's bytes. */
    private String call(String... args) throws IOException {
        s.getOutputStream().write(cmd(args).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return RespServerTest.readReply(s);
    }

    private void expect(String reply, String... args) throws IOException {
        assertThat(call(args)).as(String.join(" ", args)).isEqualTo(reply);
    }

    private static String integer(long n) {
        return ":" + n + "\r\n";
    }

    private static String bulk(String v) {
        return "$" + v.length() + "\r\n" + v + "\r\n";
    }

    private static String invalid(String command) {
        return "-ERR invalid expire time in '" + command + "' command\r\n";
    }

    /** A figure of INFO's text, e.g. {@code expired_keys}. */
    private String info(String field) throws IOException {
        String text = call("INFO");
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError(field + " not in " + text);
    }

    private long now() {
        return clock.millis();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void set_options_parseAndCheckTheirTime_asRedis(String engine) throws Exception {
        start(engine);
        expect(SYNTAX, "SET", "k", "v", "EX", "10", "PX", "100");
        expect(SYNTAX, "SET", "k", "v", "KEEPTTL", "EX", "10");
        expect(SYNTAX, "SET", "k", "v", "EX", "10", "KEEPTTL");
        expect(SYNTAX, "SET", "k", "v", "NX", "XX");
        expect(SYNTAX, "SET", "k", "v", "EX");
        expect(SYNTAX, "SET", "k", "v", "PERSIST");
        expect(OK, "SET", "k", "v", "EX", "10", "EX", "20"); // the last time counts
        expect(integer(20), "TTL", "k");
        expect(bulk("v"), "set", "k", "v", "xx", "XX", "get", "Get", "keepttl", "KEEPTTL");
        expect(integer(20), "TTL", "k");
        for (String[] bad : new String[][] {{"EX", "0"}, {"EX", "-1"}, {"PX", "0"}, {"EXAT", "0"}, {"PXAT", "-5"},
                {"EX", "9223372036854775"}, {"PX", "9223372036854000000"}, {"EX", "9223372036854776"}}) {
            expect(invalid("set"), "SET", "k", "v", bad[0], bad[1]);
        }
        for (String bad : new String[] {"1.5", "+5", "010", "abc", "", " 1", "99999999999999999999"}) {
            expect(NOT_INTEGER, "SET", "k", "v", "EX", bad);
        }
        expect(invalid("set"), "SET", "k", "v", "GET", "EX", "0"); // the time's check comes before GET's read
        expect(integer(20), "TTL", "k"); // none of the refused SETs changed the key
        expect(OK, "SET", "k", "v", "PXAT", "9223372036854775807");
        expect(integer(9223372036854775807L), "PEXPIRETIME", "k");
        expect(OK, "SET", "k", "v", "EXAT", "9223372036854775");
        expect(integer(9223372036854775000L), "PEXPIRETIME", "k");
        expect(OK, "SET", "k", "v", "pX", "1500");
        expect(integer(1500), "PTTL", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aTimeInThePast_isStored_butTheKeyIsAbsentToEveryRead_untilAWriteRemovesIt(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "p", "1");
        expect(OK, "SET", "k", "v", "EXAT", "1");
        expect(integer(2), "DBSIZE"); // stored: counted, as Redis's DBSIZE counts it
        expect(bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"), "INFO", "keyspace");
        expect(NULL, "GET", "k");
        expect(integer(0), "EXISTS", "k");
        expect(integer(-2), "TTL", "k");
        expect("+none\r\n", "TYPE", "k");
        expect("*1\r\n$1\r\np\r\n", "KEYS", "*");
        expect("*2\r\n$1\r\n0\r\n*1\r\n$1\r\np\r\n", "SCAN", "0");
        expect(integer(2), "DBSIZE"); // reads hide it without removing it (Redis's reads remove it)
        String expired = info("expired_keys");
        expect(integer(0), "DEL", "k"); // a write removes it: not present, yet counted as expired
        expect(integer(1), "DBSIZE");
        assertThat(Long.parseLong(info("expired_keys"))).isEqualTo(Long.parseLong(expired) + 1);
        expect(bulk("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"), "INFO", "keyspace");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aDeadline_isStrict_theKeyLivesThroughItsLastMillisecond(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v", "PX", "100");
        expect(OK, "SET", "n", "5", "PX", "100");
        clock.advance(100);
        expect(bulk("v"), "GET", "k");
        expect(integer(0), "PTTL", "k");
        expect(integer(0), "TTL", "k");
        clock.advance(1);
        expect(NULL, "GET", "k");
        expect(integer(0), "EXISTS", "k", "n");
        expect(integer(-2), "PTTL", "k");
        expect(integer(-2), "EXPIRETIME", "k");
        expect(integer(2), "DBSIZE");
        expect(integer(1), "INCR", "n"); // an expired key is absent to a write too: a new key, without a deadline
        expect(integer(-1), "TTL", "n");
        expect(OK, "SET", "k", "w", "NX");
        expect(integer(-1), "TTL", "k");
        expect(integer(0), "PERSIST", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void setWithNxXxGet_repliesAndKeepsTheDeadline_asRedis(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v", "EX", "100");
        expect(bulk("v"), "SET", "k", "v2", "GET", "NX"); // not written: the deadline stays
        expect(integer(100), "TTL", "k");
        expect(bulk("v"), "SET", "k", "v3", "GET", "XX"); // written without a time: the deadline goes
        expect(bulk("v3"), "GET", "k");
        expect(integer(-1), "TTL", "k");
        expect(NULL, "SET", "n", "v", "GET", "XX");
        expect(integer(0), "EXISTS", "n");
        expect(NULL, "SET", "n", "v", "XX", "EX", "10");
        expect(OK, "SET", "n", "v", "NX", "PX", "5000");
        expect(integer(5), "TTL", "n");
        expect(NULL, "SET", "n", "w", "NX", "EX", "99");
        long at = now() / 1000 + 50;
        expect(bulk("v"), "SET", "n", "w", "GET", "EXAT", Long.toString(at));
        expect(integer(at * 1000), "PEXPIRETIME", "n");
        expect(OK, "SET", "n", "x", "KEEPTTL");
        expect(bulk("x"), "GET", "n");
        expect(integer(at * 1000), "PEXPIRETIME", "n");
        expect(OK, "SET", "fresh", "x", "KEEPTTL");
        expect(integer(-1), "TTL", "fresh");
        expect(bulk("x"), "SET", "n", "y", "GET");
        expect(integer(-1), "TTL", "n");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void setexAndPsetex(String engine) throws Exception {
        start(engine);
        expect(invalid("setex"), "SETEX", "s", "0", "v");
        expect(invalid("psetex"), "PSETEX", "s", "-3", "v");
        expect(invalid("psetex"), "PSETEX", "s", "9223372036854775807", "v");
        expect(NOT_INTEGER, "SETEX", "s", "abc", "v");
        expect(integer(0), "EXISTS", "s");
        expect(OK, "SETEX", "s", "10", "v");
        expect(integer(10_000), "PTTL", "s");
        expect(OK, "PSETEX", "s", "1499", "w");
        expect(integer(1), "TTL", "s");
        expect(bulk("w"), "GET", "s");
        expect("-ERR wrong number of arguments for 'setex' command\r\n", "SETEX", "s", "10");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void getex_repliesTheValue_thenChangesTheDeadline(String engine) throws Exception {
        start(engine);
        expect(NULL, "GETEX", "missing", "EX", "-5"); // a missing key is not checked further
        expect(NULL, "GETEX", "missing", "EX", "abc");
        expect(SYNTAX, "GETEX", "missing", "EX", "10", "PX", "10");
        expect(SYNTAX, "GETEX", "k", "PERSIST", "EX", "10");
        expect(SYNTAX, "GETEX", "k", "EX", "10", "PERSIST");
        expect(SYNTAX, "GETEX", "k", "KEEPTTL");
        expect(SYNTAX, "GETEX", "k", "NX");
        expect(SYNTAX, "GETEX", "k", "EX");
        expect(OK, "SET", "k", "v");
        expect(invalid("getex"), "GETEX", "k", "EX", "0");
        expect(NOT_INTEGER, "GETEX", "k", "PX", "1.5");
        expect(integer(-1), "TTL", "k");
        expect(bulk("v"), "GETEX", "k", "EX", "100");
        expect(integer(100), "TTL", "k");
        expect(bulk("v"), "GETEX", "k");
        expect(integer(100), "TTL", "k");
        expect(bulk("v"), "GETEX", "k", "px", "100", "PX", "2000");
        expect(integer(2000), "PTTL", "k");
        expect(bulk("v"), "GETEX", "k", "PXAT", Long.toString(now() + 3000));
        expect(integer(3), "TTL", "k");
        expect(bulk("v"), "GETEX", "k", "PERSIST");
        expect(integer(-1), "TTL", "k");
        expect(bulk("v"), "GETEX", "k", "PERSIST");
        String expired = info("expired_keys");
        expect(bulk("v"), "GETEX", "k", "EXAT", "1"); // in the past: removed, not counted as expired
        expect(integer(0), "EXISTS", "k");
        expect(integer(0), "DBSIZE");
        assertThat(info("expired_keys")).isEqualTo(expired);
        expect(OK, "SET", "k", "v");
        expect(bulk("v"), "GETEX", "k", "PXAT", Long.toString(now()));
        expect(integer(0), "EXISTS", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void getsetAndGetdel_clearOrRemoveTheDeadline(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v", "EX", "100");
        expect(bulk("v"), "GETSET", "k", "v2");
        expect(integer(-1), "TTL", "k");
        expect(OK, "SET", "k", "v2", "EX", "100");
        expect(bulk("v2"), "GETDEL", "k");
        expect(NULL, "GETDEL", "k");
        expect(integer(-2), "TTL", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void expire_checksOptionsThenNumberThenKey_asRedis(String engine) throws Exception {
        start(engine);
        expect(integer(0), "EXPIRE", "missing", "100");
        expect(NOT_INTEGER, "EXPIRE", "missing", "abc");
        expect(NOT_INTEGER, "EXPIRE", "missing", "");
        expect("-ERR Unsupported option AB\r\n", "EXPIRE", "missing", "100", "AB");
        expect("-ERR Unsupported option ab\r\n", "EXPIRE", "missing", "100", "NX", "ab", "XX");
        expect("-ERR Unsupported option a\r\n", "EXPIRE", "missing", "100", "a\0b");
        expect("-ERR Unsupported option a  b\r\n", "EXPIRE", "missing", "100", "a\r\nb\r\n\n");
        String nx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
        expect(nx, "EXPIRE", "k", "100", "NX", "XX");
        expect(nx, "EXPIRE", "k", "100", "GT", "NX");
        expect(nx, "EXPIRE", "k", "100", "NX", "LT");
        expect("-ERR GT and LT options at the same time are not compatible\r\n", "EXPIRE", "k", "100", "GT", "LT");
        expect("-ERR GT and LT options at the same time are not compatible\r\n", "EXPIRE", "k", "abc", "GT", "LT");
        expect(NOT_INTEGER, "EXPIRE", "k", "abc", "GT"); // the options first, then the number
        expect(integer(0), "EXPIRE", "missing", "100", "NX", "NX");
        expect(integer(0), "PEXPIRE", "missing", "-1");
        expect(invalid("expire"), "EXPIRE", "k", "9223372036854776");
        expect(invalid("expire"), "EXPIRE", "k", "-9223372036854776");
        expect(invalid("expire"), "EXPIRE", "k", Long.toString((Long.MAX_VALUE - now()) / 1000 + 1));
        expect(invalid("pexpire"), "PEXPIRE", "k", "9223372036854770000");
        expect(invalid("expireat"), "EXPIREAT", "k", "9223372036854776");
        expect(integer(0), "PEXPIREAT", "missing", "9223372036854775807");
        expect("-ERR wrong number of arguments for 'expire' command\r\n", "EXPIRE", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void expireConditions_nxXxGtLt_asRedis(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v");
        expect(integer(0), "EXPIRE", "k", "100", "GT"); // no deadline is infinite: nothing is greater
        expect(integer(0), "EXPIRE", "k", "100", "XX");
        expect(integer(1), "EXPIRE", "k", "100", "LT"); // ... and everything is less
        expect(integer(0), "EXPIRE", "k", "50", "GT");
        expect(integer(0), "EXPIRE", "k", "100", "GT"); // the same deadline is not greater
        expect(integer(0), "EXPIRE", "k", "100", "XX", "LT"); // ... nor less
        expect(integer(1), "EXPIRE", "k", "200", "GT");
        expect(integer(0), "EXPIRE", "k", "300", "NX");
        expect(integer(1), "EXPIRE", "k", "150", "XX", "LT");
        expect(integer(150), "TTL", "k");
        expect(integer(1), "PEXPIRE", "k", "1000", "xx", "lt", "LT");
        expect(integer(1000), "PTTL", "k");
        expect(integer(1), "PEXPIREAT", "k", Long.toString(now() + 5000));
        expect(integer(5000), "PTTL", "k");
        expect(integer(1), "EXPIREAT", "k", Long.toString(now() / 1000 + 7));
        expect(integer(now() / 1000 + 7), "EXPIRETIME", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anExpireNotAfterNow_removesTheKey_andIsNotCountedExpired(String engine) throws Exception {
        start(engine);
        String expired = info("expired_keys");
        expect(OK, "SET", "k", "v");
        expect(integer(0), "PEXPIRE", "k", "-1", "GT");
        expect(integer(-1), "TTL", "k");
        expect(integer(1), "EXPIRE", "k", "-1", "LT");
        expect(integer(0), "EXISTS", "k");
        expect(integer(0), "DBSIZE");
        expect(OK, "SET", "k", "v");
        expect(integer(1), "PEXPIREAT", "k", Long.toString(now())); // not after now: removed
        expect(integer(0), "DBSIZE");
        expect(OK, "SET", "k", "v");
        expect(integer(1), "PEXPIREAT", "k", "-9223372036854775808");
        expect(integer(0), "DBSIZE");
        expect(OK, "SET", "k", "v");
        expect(integer(1), "EXPIRE", "k", "0");
        expect(integer(0), "DBSIZE");
        expect(OK, "SET", "k", "v");
        expect(integer(1), "PEXPIREAT", "k", Long.toString(now() + 1));
        expect(bulk("v"), "GET", "k");
        assertThat(info("expired_keys")).isEqualTo(expired);
        expect(integer(1), "PEXPIREAT", "k", "9223372036854775807");
        expect(integer(9223372036854776L), "EXPIRETIME", "k");
        expect(integer(9223372036854775807L), "PEXPIRETIME", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void ttl_roundsHalfUp_andExpiretimeToo(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v");
        String[][] cases = {{"1499", "1"}, {"1500", "2"}, {"499", "0"}, {"500", "1"}, {"1", "0"}};
        for (String[] c : cases) {
            expect(integer(1), "PEXPIRE", "k", c[0]);
            expect(integer(Long.parseLong(c[1])), "TTL", "k");
            expect(integer(Long.parseLong(c[0])), "PTTL", "k");
        }
        expect(integer(1), "PEXPIREAT", "k", "4102444800123");
        expect(integer(4102444800L), "EXPIRETIME", "k");
        expect(integer(4102444800123L), "PEXPIRETIME", "k");
        expect(integer(1), "PEXPIREAT", "k", "4102444800500");
        expect(integer(4102444801L), "EXPIRETIME", "k");
        expect(OK, "SET", "k", "v", "PX", "2600");
        clock.advance(1000);
        expect(integer(2), "TTL", "k"); // 1600 ms left
        expect(integer(1600), "PTTL", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void ttlFamily_andPersist_onMissingAndPersistentKeys(String engine) throws Exception {
        start(engine);
        for (String c : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
            expect(integer(-2), c, "missing");
        }
        expect(OK, "SET", "k", "v");
        for (String c : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
            expect(integer(-1), c, "k");
        }
        expect(integer(0), "PERSIST", "k");
        expect(integer(1), "EXPIRE", "k", "100");
        expect(integer(1), "PERSIST", "k");
        expect(integer(0), "PERSIST", "k");
        expect(integer(-1), "TTL", "k");
        expect(bulk("v"), "GET", "k");
        expect(integer(0), "PERSIST", "missing");
        expect("-ERR wrong number of arguments for 'ttl' command\r\n", "TTL", "a", "b");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void commandsThatChangeAValue_keepItsDeadline_andThoseThatReplaceIt_clearIt(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "1", "EX", "100");
        String[][] keeping = {{"INCR", "k"}, {"DECRBY", "k", "3"}, {"INCRBY", "k", "7"}, {"DECR", "k"},
                {"INCRBYFLOAT", "k", "1.5"}, {"APPEND", "k", "0"}, {"SETRANGE", "k", "0", "9"}, {"SET", "k", "v", "KEEPTTL"},
                {"SETNX", "k", "x"}, {"MSETNX", "k", "x", "new", "n"}, {"SET", "k", "w", "NX"}, {"GETEX", "k"},
                {"SET", "k", "w", "NX", "GET"}, {"EXPIRE", "k", "100", "NX"}};
        for (String[] c : keeping) {
            call(c);
            assertThat(call("PTTL", "k")).as(String.join(" ", c)).isEqualTo(integer(100_000));
        }
        expect(bulk("v"), "GET", "k");
        String[][] clearing = {{"SET", "k", "v2", "XX"}, {"MSET", "k", "v2", "o", "o"}, {"GETSET", "k", "v3"},
                {"SET", "k", "v4"}, {"SET", "k", "v5", "GET"}, {"PERSIST", "k"}};
        for (String[] c : clearing) {
            expect(integer(1), "EXPIRE", "k", "100");
            call(c);
            assertThat(call("TTL", "k")).as(String.join(" ", c)).isEqualTo(integer(-1));
        }
        expect(integer(0), "EXISTS", "new");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void renameMovesTheDeadline_andCopyCopiesIt(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "a", "v", "EX", "100");
        expect(OK, "SET", "b", "w", "EX", "500");
        expect(OK, "RENAME", "a", "b");
        expect(integer(100), "TTL", "b");
        expect(bulk("v"), "GET", "b");
        expect(integer(0), "EXISTS", "a");
        expect(OK, "SET", "a", "v");
        expect(OK, "SET", "b", "w", "EX", "500");
        expect(OK, "RENAME", "a", "b");
        expect(integer(-1), "TTL", "b");
        expect(OK, "RENAME", "b", "b");
        expect(integer(0), "RENAMENX", "b", "b");
        expect("-ERR no such key\r\n", "RENAME", "nope", "x");
        expect("-ERR no such key\r\n", "RENAMENX", "nope", "nope");
        expect(OK, "SET", "c", "x", "PX", "300");
        expect(integer(0), "RENAMENX", "b", "c");
        expect(integer(300), "PTTL", "c");
        expect(integer(1), "RENAMENX", "c", "d");
        expect(integer(300), "PTTL", "d");
        clock.advance(301);
        expect("-ERR no such key\r\n", "RENAME", "d", "e"); // expired: absent
        expect(integer(1), "RENAMENX", "b", "d"); // an expired destination is absent too
        expect(bulk("v"), "GET", "d");
        expect(integer(-1), "TTL", "d");

        expect(OK, "SET", "c", "v", "EX", "100");
        expect(integer(1), "COPY", "c", "cc");
        expect(integer(100), "TTL", "cc");
        expect(integer(100), "TTL", "c");
        expect(OK, "SET", "f", "x", "EX", "999");
        expect(OK, "SET", "c", "v");
        expect(integer(0), "COPY", "c", "f");
        expect(integer(999), "TTL", "f");
        expect(integer(1), "copy", "c", "f", "replace", "db", "0");
        expect(integer(-1), "TTL", "f");
        expect(bulk("v"), "GET", "f");
        expect(integer(0), "COPY", "missing", "f", "REPLACE");
        expect("-ERR source and destination objects are the same\r\n", "COPY", "c", "c");
        expect("-ERR DB index is out of range\r\n", "COPY", "c", "c", "DB", "1");
        expect(NOT_INTEGER, "COPY", "c", "g", "DB", "x");
        expect("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
                "COPY", "c", "g", "DB", "99999999999");
        expect(SYNTAX, "COPY", "c", "g", "DB");
        expect(SYNTAX, "COPY", "c", "g", "bogus");
        expect(OK, "SET", "m", "v", "EX", "100");
        expect("-ERR DB index is out of range\r\n", "MOVE", "m", "1");
        expect("-ERR source and destination objects are the same\r\n", "MOVE", "m", "0");
        expect(integer(100), "TTL", "m");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void info_countsKeysWithADeadline_andKeysRemovedAsExpired(String engine) throws Exception {
        start(engine);
        expect(bulk("# Keyspace\r\n"), "INFO", "keyspace");
        for (String k : new String[] {"a", "b", "c", "d", "e"}) {
            expect(OK, "SET", k, "1", "PX", "50");
        }
        expect(OK, "SET", "p", "1");
        expect(bulk("# Keyspace\r\ndb0:keys=6,expires=5,avg_ttl=0\r\n"), "INFO", "keyspace");
        long expired = Long.parseLong(info("expired_keys"));
        clock.advance(200);
        expect(integer(6), "DBSIZE");
        expect("*1\r\n$1\r\np\r\n", "KEYS", "*");
        expect(integer(6), "DBSIZE");
        expect(integer(0), "EXISTS", "a");
        expect(OK, "SET", "a", "again"); // a write of an expired key removes it
        expect(OK, "MSET", "b", "x", "c", "y");
        expect(integer(0), "DEL", "d");
        expect(integer(5), "DBSIZE"); // e, expired, is still stored
        expect(bulk("# Keyspace\r\ndb0:keys=5,expires=1,avg_ttl=0\r\n"), "INFO", "keyspace");
        assertThat(Long.parseLong(info("expired_keys"))).isEqualTo(expired + 4);
        expect(OK, "FLUSHALL");
        expect(bulk("# Keyspace\r\n"), "INFO", "keyspace");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void theActiveCycle_removesExpiredKeys_countsThem_andMeasuresTheAverageTtl(String engine) throws Exception {
        serve(open(engine), true);
        for (int i = 0; i < 50; i++) {
            expect(OK, "SET", "gone:" + i, "v", "PX", "50");
        }
        expect(OK, "SET", "stays", "v", "EX", "100");
        expect(OK, "SET", "p", "v");
        long expired = Long.parseLong(info("expired_keys"));
        clock.advance(51);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> expect(integer(2), "DBSIZE"));
        assertThat(Long.parseLong(info("expired_keys"))).isEqualTo(expired + 50);
        // The cycle's smoothed mean of the time left of the keys it sampled: "stays", 100 s at most.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(call("INFO", "keyspace"))
                .matches(Pattern.compile(".*db0:keys=2,expires=1,avg_ttl=[1-9][0-9]*\r\n.*", Pattern.DOTALL)));
        assertThat(Long.parseLong(call("INFO", "keyspace").replaceAll("(?s).*avg_ttl=(\\d+).*", "$1")))
                .isBetween(1L, 100_000L);
        expect(bulk("v"), "GET", "stays");
        assertThat(info("expired_stale_perc")).matches("\\d+\\.\\d\\d");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void setWithATimeAlone_isAPlainSet_withTheDeadlineOfTheStoresClock(String engine) throws Exception {
        RecordingStore store = new RecordingStore(open(engine));
        serve(store, false);
        expect(OK, "SET", "k", "v", "EX", "3600");
        expect(OK, "SETEX", "k", "60", "v");
        expect(OK, "PSETEX", "k", "5", "v");
        expect(OK, "SET", "k", "v", "PXAT", "1");
        assertThat(store.writes).extracting(w -> w instanceof Write.Set set ? set.deadline() : -1L)
                .containsExactly(now() + 3_600_000, now() + 60_000, now() + 5, 1L);
        store.writes.clear();
        expect(OK, "SET", "k", "v", "EX", "10", "NX"); // k, stored at 1, has expired: absent
        assertThat(store.writes).singleElement().isInstanceOf(Write.Txn.class); // it reads first
    }
}
