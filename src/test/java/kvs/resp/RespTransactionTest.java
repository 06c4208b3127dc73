package kvs.resp;

import static kvs.resp.RespServerTest.cmd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import kvs.client.KvsClient;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import kvs.store.ManualClock;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH over RESP, byte for byte as Redis 7.2 answers them
 * (the sequences of its behaviour a store of strings has, checked against a redis-server by
 * bench/resp-diff.sh), in RESP2 and RESP3, over each engine and a group's member, with a clock the
 * tests move.
 */
class RespTransactionTest {

    private static final String OK = "+OK\r\n";
    private static final String QUEUED = "+QUEUED\r\n";
    private static final String NULL_ARRAY = "*-1\r\n";
    private static final String ABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    private static final String NO_MULTI = "-ERR EXEC without MULTI\r\n";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private TestServer fixture;
    /** The client under test, and another. */
    private Socket a;
    private Socket b;

    static Stream<String> engines() {
        return Stream.of("kvs", "mvstore", "member");
    }

    private void start(String engine) throws Exception {
        start(open(engine), KvsServer.Options.defaults());
    }

    private void start(Store store, KvsServer.Options options) throws Exception {
        fixture = TestServer.kvsAndResp(store, new RespProtocol.Settings("test", Map.of()), options.withActiveExpiry(false));
        a = fixture.connect(1);
        b = fixture.connect(1);
    }

    private Store open(String engine) throws Exception {
        EngineOptions options = EngineOptions.defaults().withClock(clock);
        return switch (engine) {
            case "kvs" -> KvStore.open(dir, options);
            case "mvstore" -> MvStoreEngine.open(dir, options);
            default -> RespExpiryTest.member(dir, options);
        };
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String call(Socket s, String... args) throws IOException {
        s.getOutputStream().write(cmd(args).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return RespServerTest.readReply(s);
    }

    private void expect(String reply, String... args) throws IOException {
        assertThat(call(a, args)).as(String.join(" ", args)).isEqualTo(reply);
    }

    /** Sends {@code requests} in one write and reads exactly {@code replies}' bytes back. */
    private void pipelined(String replies, String... requests) throws IOException {
        a.getOutputStream().write(String.join("", requests).getBytes(StandardCharsets.UTF_8));
        a.getOutputStream().flush();
        byte[] want = replies.getBytes(StandardCharsets.UTF_8);
        assertThat(new String(a.getInputStream().readNBytes(want.length), StandardCharsets.UTF_8)).isEqualTo(replies);
    }

    private static String integer(long n) {
        return ":" + n + "\r\n";
    }

    private static String bulk(String v) {
        return "$" + v.length() + "\r\n" + v + "\r\n";
    }

    /** WATCH k, then {@code other} runs on the other connection; whether a MULTI, PING, EXEC then aborts. */
    private boolean touches(String... other) throws IOException {
        expect(OK, "WATCH", "k");
        call(b, other);
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        String exec = call(a, "EXEC");
        assertThat(exec).isIn(NULL_ARRAY, "*1\r\n+PONG\r\n");
        return exec.equals(NULL_ARRAY);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void multiExecDiscard_answerAsRedis(String engine) throws Exception {
        start(engine);
        expect(OK, "MULTI");
        expect("*0\r\n", "EXEC");
        expect(NO_MULTI, "EXEC");
        expect("-ERR DISCARD without MULTI\r\n", "DISCARD");
        expect(OK, "MULTI");
        expect("-ERR MULTI calls can not be nested\r\n", "MULTI");
        expect(QUEUED, "SET", "a", "1");
        expect("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
        expect("*1\r\n+OK\r\n", "EXEC"); // neither error refused the transaction
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "a", "2");
        expect(OK, "DISCARD");
        expect(bulk("1"), "GET", "a");
        expect(NO_MULTI, "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aCommandRefusedWhileQueueing_makesExecDiscardEverything(String engine) throws Exception {
        start(engine);
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "a", "1");
        expect("-ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' \r\n", "NOSUCH", "x", "y");
        expect(QUEUED, "SET", "b", "2");
        expect(ABORT, "EXEC");
        expect(integer(0), "EXISTS", "a", "b");
        expect(NO_MULTI, "EXEC");
        for (String[] wrong : new String[][] {{"GET"}, {"MULTI", "x"}, {"DISCARD", "x"}, {"UNWATCH", "x"}, {"WATCH"},
                {"CONFIG", "GET"}}) {
            expect(OK, "MULTI");
            String name = wrong.length == 2 && wrong[0].equals("CONFIG") ? "config|get" : wrong[0].toLowerCase();
            expect("-ERR wrong number of arguments for '" + name + "' command\r\n", wrong);
            expect(ABORT, "EXEC");
        }
        expect(OK, "MULTI");
        expect("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", "CLIENT", "FOO");
        expect(ABORT, "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anExecWithArguments_isAbortedAtOnce_withItsReason(String engine) throws Exception {
        start(engine);
        String aborted = "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n";
        expect(OK, "SET", "a", "1");
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "a", "2");
        expect(aborted, "EXEC", "x");
        expect(NO_MULTI, "EXEC");
        expect(bulk("1"), "GET", "a");
        expect(aborted, "EXEC", "x"); // outside MULTI too
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anErrorAtRunTime_isThatCommandsReply_andTheOthersStillApply(String engine) throws Exception {
        start(engine);
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "s", "foo");
        expect(QUEUED, "INCR", "s");
        expect(QUEUED, "SET", "t", "1");
        expect(QUEUED, "SET", "k", "v", "EX", "10", "PX", "10"); // options are checked when it runs, as Redis
        expect(QUEUED, "APPEND", "s", "bar");
        expect("*5\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n-ERR syntax error\r\n:6\r\n", "EXEC");
        expect(bulk("1"), "GET", "t");
        expect(bulk("foobar"), "GET", "s");
        expect(integer(0), "EXISTS", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void queuedCommands_seeTheOnesBeforeThem_andUnwatchQueuedDoesNothing(String engine) throws Exception {
        start(engine);
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "n", "1");
        expect(QUEUED, "INCRBY", "n", "5");
        expect(QUEUED, "MGET", "n", "none");
        expect(QUEUED, "DEL", "n");
        expect(QUEUED, "GET", "n");
        expect(QUEUED, "UNWATCH");
        expect(QUEUED, "PING");
        expect("*7\r\n+OK\r\n:6\r\n*2\r\n$1\r\n6\r\n$-1\r\n:1\r\n$-1\r\n+OK\r\n+PONG\r\n", "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsOfTheWholeKeyspace_insideExec_seeTheTransactionsOwnWrites(String engine) throws Exception {
        start(engine);
        expect(OK, "MULTI");
        for (String[] c : new String[][] {{"SET", "k", "v"}, {"DBSIZE"}, {"KEYS", "*"}, {"SCAN", "0"}, {"RANDOMKEY"},
                {"DEL", "k"}, {"DBSIZE"}, {"KEYS", "*"}, {"RANDOMKEY"}, {"EXISTS", "k"}}) {
            expect(QUEUED, c);
        }
        expect("*10\r\n+OK\r\n:1\r\n*1\r\n$1\r\nk\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n$1\r\nk\r\n:1\r\n:0\r\n"
                + "*0\r\n$-1\r\n:0\r\n", "EXEC"); // Redis 7.0.15's bytes
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aWholeTransaction_inOneWrite_isAnsweredInOrder(String engine) throws Exception {
        start(engine);
        pipelined("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n",
                cmd("MULTI"), cmd("SET", "p", "1"), cmd("INCR", "p"), cmd("GET", "p"), cmd("EXEC"));
        pipelined("+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n$1\r\n5\r\n",
                cmd("WATCH", "k"), cmd("MULTI"), cmd("SET", "k", "5"), cmd("EXEC"), cmd("GET", "k"));
        // A write before the WATCH in the same batch does not break it; one after it does.
        pipelined("+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n:6\r\n",
                cmd("SET", "k", "5"), cmd("WATCH", "k"), cmd("MULTI"), cmd("INCR", "k"), cmd("EXEC"));
        pipelined("+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n*-1\r\n",
                cmd("WATCH", "k"), cmd("SET", "k", "5"), cmd("MULTI"), cmd("INCR", "k"), cmd("EXEC"));
        pipelined("+OK\r\n+QUEUED\r\n-ERR unknown command 'BOGUS', with args beginning with: \r\n+QUEUED\r\n" + ABORT,
                cmd("MULTI"), cmd("SET", "x", "1"), cmd("BOGUS"), cmd("SET", "y", "2"), cmd("EXEC"));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void resp3_nullsAreUnderscores_andEachElementKeepsItsType(String engine) throws Exception {
        start(engine);
        assertThat(call(a, "HELLO", "3")).startsWith("%7\r\n");
        expect(OK, "SET", "x", "1");
        expect(OK, "WATCH", "x");
        call(b, "SET", "x", "2");
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect("_\r\n", "EXEC");
        expect(OK, "MULTI");
        expect(QUEUED, "GET", "nokey");
        expect(QUEUED, "INCR", "n2");
        expect("*2\r\n_\r\n:1\r\n", "EXEC");
        expect(OK, "MULTI");
        expect("-ERR unknown command 'NOSUCH', with args beginning with: \r\n", "NOSUCH");
        expect(ABORT, "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void watch_isBrokenByEveryWriteOfTheKey_evenOfTheSameValue(String engine) throws Exception {
        start(engine);
        call(b, "SET", "k", "30");
        assertThat(touches("SET", "k", "30")).as("SET of the same value").isTrue();
        assertThat(touches("MSET", "k", "v")).isTrue();
        assertThat(touches("SET", "k", "v", "KEEPTTL")).isTrue();
        assertThat(touches("APPEND", "k", "")).isTrue();
        assertThat(touches("SETRANGE", "k", "0", "v")).isTrue();
        assertThat(touches("GETSET", "k", "7")).isTrue();
        assertThat(touches("INCRBY", "k", "0")).isTrue();
        assertThat(touches("INCRBYFLOAT", "k", "0")).isTrue();
        assertThat(touches("EXPIRE", "k", "100")).isTrue();
        assertThat(touches("GETEX", "k", "EX", "200")).isTrue();
        assertThat(touches("PERSIST", "k")).as("PERSIST of a key with a deadline").isTrue();
        assertThat(touches("DEL", "k")).isTrue();
        assertThat(touches("SET", "k", "v")).as("SET of a missing key").isTrue();
        assertThat(touches("UNLINK", "k")).isTrue();
        call(b, "SET", "k", "v");
        assertThat(touches("GETDEL", "k")).isTrue();
        call(b, "SET", "k", "v");
        assertThat(touches("RENAME", "k", "other")).isTrue();
        call(b, "SET", "src", "v");
        assertThat(touches("RENAME", "src", "k")).isTrue();
        call(b, "SET", "src", "v");
        assertThat(touches("COPY", "src", "k", "REPLACE")).isTrue();
        assertThat(touches("FLUSHDB")).as("FLUSHDB with the key present").isTrue();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void watch_isNotBrokenByWritesThatChangeNothing_norByReads(String engine) throws Exception {
        start(engine);
        assertThat(touches("DEL", "k")).as("DEL of a missing key").isFalse();
        assertThat(touches("SET", "k", "v", "XX")).as("SET XX of a missing key").isFalse();
        assertThat(touches("SET", "other", "1")).isFalse();
        assertThat(touches("FLUSHDB")).as("FLUSHDB with the key missing").isFalse();
        call(b, "SET", "k", "v");
        assertThat(touches("SET", "k", "w", "NX")).isFalse();
        assertThat(touches("SETNX", "k", "w")).isFalse();
        assertThat(touches("MSETNX", "k", "w", "new", "1")).isFalse();
        assertThat(touches("EXPIRE", "k", "100", "XX")).as("EXPIRE XX of a key without a deadline").isFalse();
        assertThat(touches("PERSIST", "k")).as("PERSIST of a key without a deadline").isFalse();
        assertThat(touches("SETRANGE", "k", "0", "")).isFalse();
        assertThat(touches("GETEX", "k")).isFalse();
        assertThat(touches("COPY", "k", "dst")).isFalse();
        assertThat(touches("GET", "k")).isFalse();
        assertThat(touches("MGET", "k", "dst")).isFalse();
        assertThat(touches("EXISTS", "k")).isFalse();
        assertThat(touches("TTL", "k")).isFalse();
        call(b, "SET", "src", "v");
        assertThat(touches("RENAMENX", "src", "k")).as("RENAMENX onto the existing key").isFalse();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aWatchersOwnWrite_breaksItsWatch_andEveryExecEndsTheWatch(String engine) throws Exception {
        start(engine);
        expect(OK, "WATCH", "k");
        expect(OK, "SET", "k", "1");
        expect(OK, "MULTI");
        expect(QUEUED, "INCR", "k");
        expect(NULL_ARRAY, "EXEC");
        expect(bulk("1"), "GET", "k");
        expect(OK, "WATCH", "k");
        expect(OK, "MULTI");
        expect(QUEUED, "INCR", "k");
        expect("*1\r\n:2\r\n", "EXEC");
        call(b, "SET", "k", "5"); // the EXEC ended the watch
        expect(OK, "MULTI");
        expect(QUEUED, "INCR", "k");
        expect("*1\r\n:6\r\n", "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void unwatchAndDiscard_endTheWatch_execWithoutMultiKeepsIt_execAbortEndsIt(String engine) throws Exception {
        start(engine);
        expect(OK, "WATCH", "k");
        expect(OK, "WATCH", "k", "j");
        call(b, "SET", "k", "1");
        expect(OK, "WATCH", "z");
        expect(OK, "UNWATCH");
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect("*1\r\n+PONG\r\n", "EXEC");

        expect(OK, "WATCH", "k");
        expect(OK, "MULTI");
        expect(OK, "DISCARD");
        call(b, "SET", "k", "2");
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect("*1\r\n+PONG\r\n", "EXEC");

        expect(OK, "WATCH", "k");
        expect(NO_MULTI, "EXEC");
        call(b, "SET", "k", "3");
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect(NULL_ARRAY, "EXEC");

        expect(OK, "WATCH", "k");
        expect(OK, "MULTI");
        call(a, "BOGUS");
        expect(ABORT, "EXEC");
        call(b, "SET", "k", "4");
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect("*1\r\n+PONG\r\n", "EXEC");
        await("every watch let go").atMost(Duration.ofSeconds(5)).until(() -> fixture.engine().watches().watchedKeys() == 0);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aWatchedKeyThatExpires_breaksTheWatch_oneExpiredAlreadyDoesNot(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "k", "v", "PX", "500");
        expect(OK, "WATCH", "k");
        clock.advance(1000);
        expect(integer(1), "DBSIZE"); // stored still: no write removed it
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect(NULL_ARRAY, "EXEC");

        expect(OK, "SET", "k", "v", "PX", "300");
        expect(OK, "WATCH", "k");
        expect(OK, "MULTI");
        expect(QUEUED, "GET", "k");
        clock.advance(600); // between MULTI and EXEC
        expect(NULL_ARRAY, "EXEC");

        expect(OK, "SET", "k", "v", "PX", "100");
        clock.advance(500);
        expect(OK, "WATCH", "k"); // expired already: nothing to break
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect("*1\r\n+PONG\r\n", "EXEC");

        expect(OK, "WATCH", "k");
        call(b, "SET", "k", "x"); // made again
        expect(OK, "MULTI");
        expect(QUEUED, "PING");
        expect(NULL_ARRAY, "EXEC");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aWriteOverTheKvsProtocol_breaksARespWatch(String engine) throws Exception {
        start(engine);
        expect(OK, "WATCH", "k");
        KvsClient kvs = fixture.client(KvsClient.Options.defaults());
        kvs.set(Bytes.utf8("k"), Bytes.utf8("v"));
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "k", "mine");
        expect(NULL_ARRAY, "EXEC");
        expect(bulk("v"), "GET", "k");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void quitOrAClosedConnection_discardsTheQueue_andLetsGoOfTheWatch(String engine) throws Exception {
        start(engine);
        expect(OK, "WATCH", "w");
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "q", "1");
        expect(OK, "QUIT");
        assertThat(a.getInputStream().read()).isEqualTo(-1);
        assertThat(call(b, "EXISTS", "q")).isEqualTo(integer(0));
        await("QUIT let go of the watch").atMost(Duration.ofSeconds(5))
                .until(() -> fixture.engine().watches().watchedKeys() == 0);

        Socket c = fixture.connect(1);
        assertThat(call(c, "WATCH", "w2")).isEqualTo(OK);
        assertThat(call(c, "MULTI")).isEqualTo(OK);
        assertThat(call(c, "SET", "q2", "1")).isEqualTo(QUEUED);
        assertThat(fixture.engine().watches().watchedKeys()).isEqualTo(1);
        c.close();
        await("a closed connection let go of the watch").atMost(Duration.ofSeconds(5))
                .until(() -> fixture.engine().watches().watchedKeys() == 0);
        assertThat(call(b, "EXISTS", "q2")).isEqualTo(integer(0));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void clientsIncrementingOneCounter_withWatchAndRetries_loseNoIncrement(String engine) throws Exception {
        start(engine);
        expect(OK, "SET", "counter", "0");
        int clients = 4;
        int each = 25;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Socket s = fixture.connect(1)) {
                    for (int i = 0; i < each; i++) {
                        boolean committed;
                        do {
                            committed = increment(s); // again after a conflict, as a client retries
                        } while (!committed);
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        expect(bulk(Integer.toString(clients * each)), "GET", "counter");
    }

    /** One optimistic increment: WATCH, read, then MULTI, SET, EXEC; whether it committed. */
    private static boolean increment(Socket s) throws IOException {
        assertThat(call(s, "WATCH", "counter")).isEqualTo(OK);
        String value = call(s, "GET", "counter").split("\r\n")[1];
        assertThat(call(s, "MULTI")).isEqualTo(OK);
        assertThat(call(s, "SET", "counter", Long.toString(Long.parseLong(value) + 1))).isEqualTo(QUEUED);
        String exec = call(s, "EXEC");
        assertThat(exec).isIn(NULL_ARRAY, "*1\r\n+OK\r\n");
        return !exec.equals(NULL_ARRAY);
    }

    @Test
    void aQueueLargerThanTheMaxFrame_isRefused_andExecDiscardsIt() throws Exception {
        start(KvStore.open(dir), KvsServer.Options.defaults().withMaxFrame(4096));
        expect(OK, "MULTI");
        String value = "v".repeat(1000);
        for (int i = 0; i < 3; i++) {
            expect(QUEUED, "SET", "k" + i, value);
        }
        assertThat(call(a, "SET", "k3", value)).startsWith("-ERR the transaction's queued commands would pass the max frame (4096 bytes)");
        expect(QUEUED, "SET", "k4", "small"); // answered, but not kept: the transaction is refused
        expect(ABORT, "EXEC");
        expect(integer(0), "EXISTS", "k0", "k4");
        expect(OK, "MULTI"); // a new transaction starts empty
        expect(QUEUED, "SET", "k0", value);
        expect("*1\r\n+OK\r\n", "EXEC");
    }

    @Test
    void anExecUnderAlways_isOneFsync() throws Exception {
        start(KvStore.open(dir, EngineOptions.defaults().withDurability(Durability.ALWAYS)), KvsServer.Options.defaults());
        long before = fsyncs();
        expect(OK, "MULTI");
        for (int i = 0; i < 5; i++) {
            expect(QUEUED, "SET", "k" + i, "v");
        }
        expect(QUEUED, "INCR", "n");
        expect("*6\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n:1\r\n", "EXEC");
        assertThat(fsyncs()).isEqualTo(before + 1);
    }

    /** INFO's count of the engine's fsyncs. */
    private long fsyncs() throws IOException {
        for (String line : call(a, "INFO", "persistence").split("\r\n")) {
            if (line.startsWith("kvs_fsyncs:")) {
                return Long.parseLong(line.substring("kvs_fsyncs:".length()));
            }
        }
        throw new AssertionError("no kvs_fsyncs in INFO");
    }

    @Test
    void queuedCommands_areCountedInCommandstats_asIfSentAlone() throws Exception {
        start(KvStore.open(dir), KvsServer.Options.defaults());
        expect(OK, "MULTI");
        expect(QUEUED, "INCR", "x");
        expect(QUEUED, "INCR", "x");
        expect("*2\r\n:1\r\n:2\r\n", "EXEC");
        String stats = call(a, "INFO", "commandstats");
        assertThat(stats).contains("cmdstat_incr:calls=2,").contains("cmdstat_exec:calls=1,").contains("cmdstat_multi:calls=1,");
    }

    @Test
    void anExec_isOneTransaction_handedToTheStoreInOneGroup() throws Exception {
        RecordingStore store = new RecordingStore(KvStore.open(dir));
        start(store, KvsServer.Options.defaults());
        expect(OK, "MULTI");
        expect(QUEUED, "SET", "a", "1");
        expect(QUEUED, "SET", "b", "2");
        expect(QUEUED, "INCR", "c");
        expect(QUEUED, "GET", "a");
        int before = store.writes.size();
        expect("*4\r\n+OK\r\n+OK\r\n:1\r\n$1\r\n1\r\n", "EXEC");
        List<Write<?>> writes = store.writes.subList(before, store.writes.size());
        assertThat(writes).hasSize(1);
        assertThat(writes.get(0)).isInstanceOf(Write.Txn.class);
    }
}
