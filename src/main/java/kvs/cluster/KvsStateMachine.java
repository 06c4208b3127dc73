package kvs.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.Failures;
import kvs.internal.GroupWriter;
import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The replicated state: a node's engine, to which every member applies the committed entries
 * in log order ({@link Entries}: runs of sets and removes). A remove of an absent key is a normal
 * reply ({@code key_not_found}), never an exception (an exception stops the Raft server). Reads
 * ({@code get}) come through {@link #query}, after Ratis's ReadIndex says this member has applied
 * everything committed when the read began.
 * <p>
 * Sets and removes give the same state when applied again in the same order, so a member that
 * restarts replays its log from the start onto its engine (which need not sync each write: the
 * Raft log is the write-ahead log). Snapshots, and with them purging the log, come later
 * (issue 16's remaining work).
 */
final class KvsStateMachine extends BaseStateMachine {

    private final KvsEngine engine;
    private final GroupWriter writer;
    /** Signalled when this member learns of a new leader, or becomes a leader that serves writes. */
    private final ReentrantLock leadership = new ReentrantLock();
    private final Condition leaderEvent = leadership.newCondition();
    /** Leader events so far, so a waiter misses none that came after it looked. */
    private long leaderEvents;

    KvsStateMachine(KvsEngine engine) {
        this.engine = engine;
        this.writer = GroupWriter.of(engine);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        signalLeaderEvent();
    }

    @Override
    public void notifyLeaderReady() {
        signalLeaderEvent();
    }

    private void signalLeaderEvent() {
        leadership.lock();
        try {
            leaderEvents++;
            leaderEvent.signalAll();
        } finally {
            leadership.unlock();
        }
    }

    /** The leader events so far; pass it to {@link #awaitLeaderEvent}. */
    long leaderEvents() {
        leadership.lock();
        try {
            return leaderEvents;
        } finally {
            leadership.unlock();
        }
    }

    /** Waits until a leader event comes after the {@code seen}-th, for at most {@code nanos}. */
    void awaitLeaderEvent(long seen, long nanos) throws InterruptedException {
        leadership.lock();
        try {
            while (leaderEvents == seen && nanos > 0) {
                nanos = leaderEvent.awaitNanos(nanos);
            }
        } finally {
            leadership.unlock();
        }
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        getLifeCycle().startAndTransition(() -> super.initialize(server, groupId, storage));
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] reply;
        try {
            reply = apply(Entries.writes(entry.getStateMachineLogEntry().getLogData().toByteArray()));
        } catch (ProtocolException e) {
            // Only this code writes entries; one that does not decode is refused alike on every member.
            reply = Entries.ofResponses(List.of(new Response.Error(ErrorCode.MALFORMED.wireName(), e.getMessage())));
        } catch (KvsException e) {
            return CompletableFuture.failedFuture(e); // the engine failed: this member cannot go on
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    /**
     * Applies an entry's writes as one group (for KvStore, one log write) and returns the reply: a
     * missing key or a refused write is that write's error; any other failure is the engine's.
     */
    private byte[] apply(List<Write> writes) throws KvsException {
        writer.writeAll(writes);
        List<Response> responses = new ArrayList<>(writes.size());
        for (Write w : writes) {
            Exception failure = w.failure();
            if (failure == null) {
                responses.add(Response.Ok.INSTANCE);
            } else if (failure instanceof KeyNotFoundException || failure instanceof IllegalArgumentException) {
                responses.add(Response.Error.of(failure));
            } else {
                throw Failures.rethrown(failure);
            }
        }
        return Entries.ofResponses(responses);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            Request r = Codec.decodeRequest(request.getContent().toByteArray());
            if (!(r instanceof Request.Get g)) {
                throw new IllegalArgumentException("not a read: " + r);
            }
            Response value = new Response.Value(engine.get(g.key()).orElse(null));
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(Codec.encode(value))));
        } catch (ProtocolException | KvsException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
