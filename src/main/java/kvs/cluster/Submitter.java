package kvs.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import kvs.KvsException;
import kvs.UnavailableException;
import kvs.client.HostPort;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Hands requests (log entries, ReadIndex barriers) to this member's Ratis server in-process and
 * waits for the group: a follower's answer names the leader ({@link kvs.NotLeaderException});
 * while no leader is known it asks again, the same request, until {@link #REQUEST_TIMEOUT}.
 */
final class Submitter {

    /** How long a request may wait for the group; then it is unavailable (clients give up after 10 s, docs/CLUSTER.md). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ClusterConfig config;
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final LeaderEvents leaderEvents;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong calls = new AtomicLong();

    Submitter(ClusterConfig config, RaftServer server, RaftGroupId groupId, LeaderEvents leaderEvents) {
        this.config = config;
        this.server = server;
        this.groupId = groupId;
        this.selfId = RaftPeerId.valueOf(config.self());
        this.leaderEvents = leaderEvents;
    }

    /** Commits {@code entry} to the group's log; its reply once this member has applied it. */
    RaftClientReply write(byte[] entry) throws KvsException {
        return submit(entry, RaftClientRequest.writeRequestType());
    }

    /** Returns once this member has applied every write acknowledged before the call (a ReadIndex). */
    void barrier() throws KvsException {
        submit(EntryCodec.BARRIER, RaftClientRequest.readRequestType());
    }

    /**
     * Submits a request to this member and waits for its reply. While the group has no leader this
     * member knows of (an election, or this member just started), it asks again, the same request
     * (the same call id, so a write is applied once), when this member learns of a leader (or
     * after a backoff of at most 200 ms), until {@link #REQUEST_TIMEOUT}.
     */
    private RaftClientReply submit(byte[] content, RaftClientRequest.Type type) throws KvsException {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(selfId)
                .setGroupId(groupId).setCallId(calls.incrementAndGet()).setType(type)
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(content))).build();
        boolean write = type.is(RaftProtos.RaftClientRequestProto.TypeCase.WRITE);
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        for (long pause = 20; ; pause = Math.min(2 * pause, 200)) {
            long seen = leaderEvents.seen();
            RaftClientReply reply;
            try {
                CompletableFuture<RaftClientReply> f = server.submitClientRequestAsync(request);
                reply = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (IOException | ExecutionException e) {
                throw unavailable(e instanceof ExecutionException ? e.getCause() : e);
            } catch (TimeoutException e) {
                throw new UnavailableException("no answer from the group within " + REQUEST_TIMEOUT.toSeconds() + " s"
                        + (write ? "; the write's outcome is unknown" : ""), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting for the group", e);
            }
            if (reply.isSuccess()) {
                return reply;
            }
            NotLeaderException notLeader = reply.getNotLeaderException();
            RaftPeer leader = notLeader == null ? null : notLeader.getSuggestedLeader();
            if (leader != null) {
                Member m = config.member(leader.getId().toString());
                throw new kvs.NotLeaderException(m == null ? null : HostPort.show(m.kvs()));
            }
            boolean noLeaderYet = notLeader != null || reply.getLeaderNotReadyException() != null
                    || reply.getReadIndexException() != null;
            if (!noLeaderYet || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) - deadline > 0) {
                throw unavailable(reply.getException());
            }
            try {
                leaderEvents.await(seen, TimeUnit.MILLISECONDS.toNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting for a leader", e);
            }
        }
    }

    private static UnavailableException unavailable(Throwable cause) {
        return new UnavailableException("the group cannot serve this now: " + cause, cause);
    }
}
