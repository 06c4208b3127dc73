package kvs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.UnavailableException;
import kvs.UnknownOutcomeException;
import kvs.client.HostPort;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Expiry;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GroupClient against stand-in members on loopback that answer as a group's members would: it
 * follows not_leader, moves on from a member that drops it, resends a write with the same id, and
 * gives up saying whether a write's outcome is unknown.
 */
class GroupClientTest {

    /** A member that answers each request with {@code answer} (null: drop the connection), recording what it got. */
    private static final class Member {
        final ServerSocket socket;
        final List<Request> received = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        Member(Function<Request, Response> answer) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> serve(s, answer));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s, Function<Request, Response> answer) {
            try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
                for (byte[] body; (body = Frames.read(in, Frames.DEFAULT_MAX_FRAME)) != null; ) {
                    Request r = Codec.decodeRequest(body);
                    received.add(r);
                    Response reply = answer.apply(r);
                    if (reply == null) {
                        return;
                    }
                    Frames.write(out, Codec.encode(reply));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void stop() throws IOException, InterruptedException {
            socket.close();
            acceptor.join();
        }
    }

    private final List<Member> members = new ArrayList<>();
    /** Released when the test ends: a member that never answers waits on it. */
    private final CountDownLatch end = new CountDownLatch(1);

    private Member member(Function<Request, Response> answer) throws IOException {
        Member m = new Member(answer);
        members.add(m);
        return m;
    }

    @AfterEach
    void stopMembers() throws Exception {
        end.countDown();
        for (Member m : members) {
            m.stop();
        }
    }

    /** An address nothing listens on. */
    private static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }

    private static GroupClient client(Duration giveUp, InetSocketAddress... members) {
        return GroupClient.of(List.of(members), KvsClient.Options.defaults(), giveUp);
    }

    @Test
    void aWriteToAFollower_goesToTheLeaderItNames_carryingTheClientsIdAndNextSequenceNumber() throws Exception {
        Member leader = member(r -> r instanceof Request.Get ? new Response.Value("v") : Response.Ok.INSTANCE);
        Member follower = member(r -> new Response.Error(ErrorCode.NOT_LEADER.wireName(), "not the leader",
                HostPort.show(leader.address())));
        try (GroupClient c = client(Duration.ofSeconds(10), follower.address(), leader.address())) {
            c.set("a", "1");
            c.remove("a");
            assertThat(c.get("a")).hasValue("v");
        }
        assertThat(follower.received).hasSize(1);
        Request.Set first = (Request.Set) leader.received.get(0);
        Request.Remove second = (Request.Remove) leader.received.get(1);
        assertThat(first.id()).isNotNull();
        assertThat(second.id().client()).isEqualTo(first.id().client());
        assertThat(second.id().seq()).isEqualTo(first.id().seq() + 1);
        assertThat(leader.received.get(2)).isEqualTo(new Request.Get("a"));
    }

    @Test
    void aWriteWhoseConnectionDrops_isResentToTheNextMember_withTheSameId() throws Exception {
        Member dropping = member(r -> null);
        Member good = member(r -> Response.Ok.INSTANCE);
        try (GroupClient c = client(Duration.ofSeconds(10), closedPort(), dropping.address(), good.address())) {
            c.set("k", "v");
        }
        assertThat(dropping.received).hasSize(1);
        assertThat(good.received).containsExactly(dropping.received.get(0));
    }

    @Test
    void aMemberThatNeverAnswers_isLeftAfterATry_andTheWriteIsResentWithItsId() throws Exception {
        Member silent = member(r -> {
            try {
                end.await(60, TimeUnit.SECONDS); // paused, or cut off: the connection open, no reply
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        Member good = member(r -> Response.Ok.INSTANCE);
        try (GroupClient c = client(Duration.ofSeconds(10), silent.address(), good.address())) {
            c.set("k", "v"); // succeeds: had the client waited for the silent member, it would have given up
        }
        assertThat(good.received).containsExactly(silent.received.get(0));
    }

    @Test
    void aWriteNoMemberAnswers_afterOneMayHaveGotIt_isUnknown_andAReadIsUnavailable() throws Exception {
        Member dropping = member(r -> null);
        try (GroupClient c = client(Duration.ofMillis(600), dropping.address(), closedPort())) {
            assertThatThrownBy(() -> c.set("k", "v")).isInstanceOf(UnknownOutcomeException.class)
                    .hasMessageContaining("outcome is unknown").hasMessageContaining("may or may not have been applied");
            assertThatThrownBy(() -> c.get("k")).isInstanceOf(UnavailableException.class)
                    .isNotInstanceOf(UnknownOutcomeException.class).hasMessageContaining("no member of the group answered");
        }
        try (GroupClient c = client(Duration.ofMillis(300), closedPort(), closedPort())) {
            assertThatThrownBy(() -> c.set("k", "v")).as("a write no member got: unavailable, not unknown")
                    .isInstanceOf(UnavailableException.class);
        }
    }

    @Test
    void aRefusedPassword_failsAtOnce_ratherThanBeingRetriedForTenSeconds() throws Exception {
        Member guarded = member(r -> new Response.Error(ErrorCode.UNAUTHORIZED, "invalid password"));
        try (GroupClient c = GroupClient.of(List.of(guarded.address()), KvsClient.Options.defaults().withPassword("wrong"),
                Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> c.set("k", "v")).isNotInstanceOf(UnavailableException.class)
                    .hasMessageContaining("invalid password");
        }
        assertThat(guarded.received).hasSize(1);
    }

    @Test
    void aMemberThatAnswersUnavailable_isLeftForTheNext_andTheServersOwnErrorsAreNotRetried() throws Exception {
        Member busy = member(r -> new Response.Error(ErrorCode.UNAVAILABLE, "no leader yet"));
        Member good = member(r -> new Response.Error(ErrorCode.KEY_NOT_FOUND, "Key not found"));
        try (GroupClient c = client(Duration.ofSeconds(10), busy.address(), good.address())) {
            assertThatThrownBy(() -> c.remove("absent")).isInstanceOf(KeyNotFoundException.class);
        }
        assertThat(busy.received).hasSize(1);
        assertThat(good.received).hasSize(1);
    }

    @Test
    void aSetWithATtl_goesToTheLeaderWithItsId_afterAskingOnceThatItKnowsExpiry() throws Exception {
        Member leader = member(r -> r instanceof Request.Ttl ? Response.Ttl.ABSENT : Response.Ok.INSTANCE);
        Member follower = member(r -> new Response.Error(ErrorCode.NOT_LEADER.wireName(), "not the leader",
                HostPort.show(leader.address())));
        try (GroupClient c = client(Duration.ofSeconds(10), follower.address(), leader.address())) {
            c.set("a", "1", Duration.ofSeconds(30));
            c.set("b", "2", Duration.ofMillis(1));
        }
        assertThat(follower.received).containsExactly(new Request.Ttl(Bytes.EMPTY));
        assertThat(leader.received).hasSize(3);
        assertThat(leader.received.get(0)).as("once per connection").isEqualTo(new Request.Ttl(Bytes.EMPTY));
        Request.Set first = (Request.Set) leader.received.get(1);
        assertThat(first.expiry()).isEqualTo(new Expiry.After(30_000));
        assertThat(first.id()).isNotNull();
        assertThat(((Request.Set) leader.received.get(2)).expiry()).isEqualTo(new Expiry.After(1));
    }

    /** A server from before expiry ignores a set's unknown "ttl" and keeps the key for ever; the client finds out first. */
    @Test
    void aServerThatDoesNotKnowExpiry_getsNoSetWithATtl_andTheCallFailsAtOnce() throws Exception {
        Member old = member(r -> r instanceof Request.Ttl ? new Response.Error(ErrorCode.BAD_REQUEST, "unknown op 'ttl'")
                : Response.Ok.INSTANCE);
        try (GroupClient c = client(Duration.ofSeconds(10), old.address())) {
            assertThatThrownBy(() -> c.set("k", "v", Duration.ofSeconds(30))).isInstanceOf(KvsException.class)
                    .isNotInstanceOf(UnavailableException.class)
                    .hasMessageContaining("does not support key expiry").hasMessageContaining("nothing was written");
            c.set("k", "v");
        }
        assertThat(old.received).hasSize(2);
        assertThat(old.received.get(0)).isEqualTo(new Request.Ttl(Bytes.EMPTY));
        assertThat(old.received.get(1)).as("a plain set needs no question").isInstanceOfSatisfying(Request.Set.class,
                set -> assertThat(set.expiry()).isNull());
    }

    @Test
    void ttlExpireAndPersist_readTheServersAnswers() throws Exception {
        Member m = member(r -> switch (r) {
            case Request.Ttl t when t.key().utf8().equals("absent") -> Response.Ttl.ABSENT;
            case Request.Ttl t when t.key().utf8().equals("forever") -> Response.Ttl.NO_DEADLINE;
            case Request.Ttl t -> Response.Ttl.expiring(1_767_225_630_000L, 30_000);
            case Request.Expire e -> Response.Changed.of(e.expiry().equals(new Expiry.At(1_767_225_630_000L)));
            case Request.Persist p -> Response.Changed.FALSE;
            default -> Response.Ok.INSTANCE;
        });
        try (GroupClient c = client(Duration.ofSeconds(10), m.address())) {
            assertThat(c.ttl("absent")).isEqualTo(KeyTtl.ABSENT);
            assertThat(c.ttl("forever")).isEqualTo(KeyTtl.NO_DEADLINE);
            assertThat(c.ttl("k")).isEqualTo(new KeyTtl.Expires(Instant.ofEpochMilli(1_767_225_630_000L),
                    Duration.ofSeconds(30)));
            assertThat(c.expireAt("k", Instant.ofEpochMilli(1_767_225_630_000L))).isTrue();
            assertThat(c.expire("k", Duration.ofSeconds(1))).isFalse();
            assertThat(c.persist("k")).isFalse();
        }
        assertThat(m.received.get(4)).isEqualTo(new Request.Expire(Bytes.utf8("k"), new Expiry.After(1_000)));
    }

    @Test
    void anMget_movesOnFromAMemberThatDrops_andFollowsTheLeaderAMemberNames() throws Exception {
        Member leader = member(r -> new Response.Values(Arrays.asList(Bytes.utf8("1"), null)));
        Member follower = member(r -> new Response.Error(ErrorCode.NOT_LEADER.wireName(), "not the leader",
                HostPort.show(leader.address())));
        Member dropping = member(r -> null);
        List<Bytes> keys = List.of(Bytes.utf8("a"), Bytes.utf8("b"));
        try (GroupClient c = client(Duration.ofSeconds(10), dropping.address(), follower.address(), leader.address())) {
            assertThat(c.getAll(keys)).containsExactly(Optional.of(Bytes.utf8("1")), Optional.empty());
        }
        assertThat(dropping.received).containsExactly(new Request.GetAll(keys));
        assertThat(follower.received).containsExactly(new Request.GetAll(keys));
        assertThat(leader.received).containsExactly(new Request.GetAll(keys));
    }

    @Test
    void anMgetNoMemberAnswers_isUnavailable_andAnAnswerOfTheWrongLength_failsAtOnce() throws Exception {
        Member dropping = member(r -> null);
        try (GroupClient c = client(Duration.ofMillis(600), dropping.address(), closedPort())) {
            assertThatThrownBy(() -> c.getAll("a", "b")).isInstanceOf(UnavailableException.class)
                    .isNotInstanceOf(UnknownOutcomeException.class).hasMessageContaining("no member of the group answered");
        }
        Member wrong = member(r -> new Response.Values(List.of(Bytes.utf8("1"))));
        try (GroupClient c = client(Duration.ofSeconds(10), wrong.address())) {
            assertThatThrownBy(() -> c.getAll("a", "b")).isInstanceOf(KvsException.class)
                    .hasMessageContaining("1 values for 2 keys");
        }
        assertThat(wrong.received).as("not retried").hasSize(1);
    }
}
