package kvs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.command.Dispatcher;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Expiry;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.Access;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kvs protocol's expiry requests (docs/PROTOCOL.md, "Expiry") as the server executes them,
 * over each engine, with a clock the test moves.
 */
class ExpiryRequestsTest {

    /** Opens an engine in a directory with options. */
    interface Opener {
        Store open(Path dir, EngineOptions options) throws KvsException;
    }

    static Stream<Arguments> engines() {
        return Stream.of(Arguments.of("kvs", (Opener) KvStore::open), Arguments.of("mvstore", (Opener) MvStoreEngine::open));
    }

    private static final Bytes K = Bytes.utf8("k");
    private static final Bytes V = Bytes.utf8("v");

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private Store store;
    private Dispatcher dispatcher;

    private void open(Opener engine) throws KvsException {
        store = engine.open(dir, EngineOptions.defaults().withClock(clock));
        dispatcher = new Dispatcher(store);
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    /** The replies to {@code requests}, sent as one batch on one connection. */
    private List<Response> send(Request... requests) {
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, store);
        for (Request r : requests) {
            byte[] body = Codec.encode(r);
            batch.addFrames(Frames.frame(body), 0, 1);
        }
        assertThat(dispatcher.execute(batch.ops, 0)).isEqualTo(requests.length);
        List<Response> replies = new ArrayList<>();
        for (int i = 0; i < requests.length; i++) {
            replies.add(batch.reply(i));
        }
        return replies;
    }

    private Response one(Request request) {
        return send(request).get(0);
    }

    private static Request.Set set(Expiry expiry) {
        return new Request.Set(K, V, expiry, null);
    }

    private static Request.Expire expire(Expiry expiry) {
        return new Request.Expire(K, expiry);
    }

    private static void assertBadRequest(Response r, String message) {
        assertThat(r).isInstanceOfSatisfying(Response.Error.class, e -> {
            assertThat(e.is(ErrorCode.BAD_REQUEST)).as("code of %s", e).isTrue();
            assertThat(e.message()).contains(message);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aSetWithATtl_expiresThatLongAfterTheServerTookIt(String name, Opener engine) throws Exception {
        open(engine);
        long start = clock.millis();
        assertThat(one(set(new Expiry.After(30_000)))).isEqualTo(Response.Ok.INSTANCE);
        assertThat(store.entry(K)).isEqualTo(new Entry(V, start + 30_000));
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.expiring(start + 30_000, 30_000));
        clock.advance(29_000);
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.expiring(start + 30_000, 1_000));
        clock.advance(1_000);
        assertThat(send(new Request.Ttl(K), new Request.Get(K))).as("present at its deadline")
                .containsExactly(Response.Ttl.expiring(start + 30_000, 0), new Response.Value(V));
        clock.advance(1);
        assertThat(send(new Request.Ttl(K), new Request.Get(K))).as("absent the millisecond after")
                .containsExactly(Response.Ttl.ABSENT, Response.Value.ABSENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aSetWithADeadline_keepsItAsGiven_andAPastOneLeavesTheKeyAbsent(String name, Opener engine) throws Exception {
        open(engine);
        long deadline = clock.millis() + 5_000;
        assertThat(one(set(new Expiry.At(deadline)))).isEqualTo(Response.Ok.INSTANCE);
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.expiring(deadline, 5_000));
        assertThat(one(set(new Expiry.At(clock.millis() - 1)))).as("as Redis's SET PXAT in the past").isEqualTo(Response.Ok.INSTANCE);
        assertThat(one(new Request.Get(K))).isEqualTo(Response.Value.ABSENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aPlainSet_clearsTheDeadline(String name, Opener engine) throws Exception {
        open(engine);
        send(set(new Expiry.After(1_000)), new Request.Set(K, V, null));
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.NO_DEADLINE);
        clock.advance(10_000);
        assertThat(one(new Request.Get(K))).isEqualTo(new Response.Value(V));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aTtlThatOverflowsTheDeadline_isABadRequest_andWritesNothing(String name, Opener engine) throws Exception {
        open(engine);
        assertBadRequest(one(set(new Expiry.After(Long.MAX_VALUE))), "invalid expire time");
        assertThat(store.entry(K)).isNull();
        assertThat(one(set(new Expiry.After(Long.MAX_VALUE - clock.millis())))).as("the largest deadline")
                .isEqualTo(Response.Ok.INSTANCE);
        assertThat(store.entry(K).deadline()).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void ttl_tellsAnAbsentKey_fromOneWithoutADeadline(String name, Opener engine) throws Exception {
        open(engine);
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.ABSENT);
        one(new Request.Set(K, V, null));
        assertThat(one(new Request.Ttl(K))).isEqualTo(Response.Ttl.NO_DEADLINE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void expire_givesAPresentKeyADeadline_andAnswersWhetherItWasPresent(String name, Opener engine) throws Exception {
        open(engine);
        assertThat(one(expire(new Expiry.After(10_000)))).isEqualTo(Response.Changed.FALSE);
        assertThat(store.entry(K)).as("an absent key stays absent").isNull();
        one(new Request.Set(K, V, null));
        assertThat(one(expire(new Expiry.After(10_000)))).isEqualTo(Response.Changed.TRUE);
        assertThat(store.entry(K)).isEqualTo(new Entry(V, clock.millis() + 10_000));
        assertThat(one(expire(new Expiry.At(clock.millis() + 60_000)))).as("a later one replaces it").isEqualTo(Response.Changed.TRUE);
        assertThat(store.entry(K)).isEqualTo(new Entry(V, clock.millis() + 60_000));
        clock.advance(60_001);
        assertThat(one(expire(new Expiry.After(10_000)))).as("an expired key is absent").isEqualTo(Response.Changed.FALSE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void expireWithATtlOfZero_orAPastDeadline_removesTheKey(String name, Opener engine) throws Exception {
        open(engine);
        one(new Request.Set(K, V, null));
        assertThat(one(expire(new Expiry.After(0)))).isEqualTo(Response.Changed.TRUE);
        assertThat(store.size()).as("removed, not left to expire").isZero();
        one(new Request.Set(K, V, null));
        assertThat(one(expire(new Expiry.At(clock.millis())))).as("a deadline of now is not after now").isEqualTo(Response.Changed.TRUE);
        assertThat(store.size()).isZero();
        one(new Request.Set(K, V, null));
        assertThat(one(expire(new Expiry.At(1)))).isEqualTo(Response.Changed.TRUE);
        assertThat(store.size()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void expireWithATtlThatOverflows_isABadRequest_evenForAnAbsentKey(String name, Opener engine) throws Exception {
        open(engine);
        assertBadRequest(one(expire(new Expiry.After(Long.MAX_VALUE))), "invalid expire time");
        one(new Request.Set(K, V, null));
        assertBadRequest(one(expire(new Expiry.After(Long.MAX_VALUE))), "invalid expire time");
        assertThat(store.entry(K)).as("untouched").isEqualTo(Entry.of(V));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void persist_removesADeadline_andAnswersWhetherThereWasOne(String name, Opener engine) throws Exception {
        open(engine);
        assertThat(one(new Request.Persist(K))).as("absent").isEqualTo(Response.Changed.FALSE);
        one(new Request.Set(K, V, null));
        assertThat(one(new Request.Persist(K))).as("no deadline").isEqualTo(Response.Changed.FALSE);
        one(set(new Expiry.After(1_000)));
        assertThat(one(new Request.Persist(K))).isEqualTo(Response.Changed.TRUE);
        assertThat(store.entry(K)).isEqualTo(Entry.of(V));
        clock.advance(5_000);
        assertThat(one(new Request.Get(K))).isEqualTo(new Response.Value(V));
        one(set(new Expiry.After(1_000)));
        clock.advance(1_001);
        assertThat(one(new Request.Persist(K))).as("too late: expired").isEqualTo(Response.Changed.FALSE);
        assertThat(one(new Request.Get(K))).isEqualTo(Response.Value.ABSENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void inOneBatch_eachRequestSeesTheWritesBeforeIt(String name, Opener engine) throws Exception {
        open(engine);
        long start = clock.millis();
        assertThat(send(set(new Expiry.After(2_000)), new Request.Ttl(K), new Request.Persist(K), new Request.Ttl(K),
                expire(new Expiry.After(0)), new Request.Ttl(K), new Request.Persist(K)))
                .containsExactly(Response.Ok.INSTANCE, Response.Ttl.expiring(start + 2_000, 2_000), Response.Changed.TRUE,
                        Response.Ttl.NO_DEADLINE, Response.Changed.TRUE, Response.Ttl.ABSENT, Response.Changed.FALSE);
    }
}
