package kvs.cluster;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of a sharded cluster's metadata group: the slot map, which every process
 * learns by applying the group's log. It starts as {@link SlotMap#even} of the cluster's shards at
 * epoch 1, the same on every member, and changes only by the group's entries, each a
 * change made on the epoch it names ({@link #assign}): an entry made on an older map is refused,
 * so two changes made on one map cannot both apply. The log is short (a few entries per slot
 * move) and is replayed whole at every start; no snapshot is taken.
 *
 * <pre>
 * entry := FORMAT(u8 = 1) ASSIGN(u8 = 1) i64(epoch) u16(first) u16(last) u16(shard)
 * reply := OK(u8 = 0) i64(epoch of the map after) | STALE(u8 = 1) i64(epoch of the map now)
 * </pre>
 */
final class SlotMapMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(SlotMapMachine.class);
    private static final int FORMAT = 1;
    private static final int ASSIGN = 1;
    private static final int OK = 0;
    private static final int STALE = 1;
    private static final ByteString BARRIER = ByteString.copyFrom(EntryCodec.BARRIER);

    private volatile SlotMap map;
    private final List<Consumer<SlotMap>> listeners = new CopyOnWriteArrayList<>();
    private final LeaderEvents leaderEvents = new LeaderEvents();

    /** The machine of a cluster of {@code shards} shards, at its first map. */
    SlotMapMachine(int shards) {
        this.map = SlotMap.even(shards);
    }

    /** The map as of the last entry this member applied. */
    SlotMap map() {
        return map;
    }

    /** Calls {@code listener} with each map this member applies from now on. */
    void onChange(Consumer<SlotMap> listener) {
        listeners.add(listener);
    }

    /** Signalled when this member learns of a new leader of the metadata group. */
    LeaderEvents leaderEvents() {
        return leaderEvents;
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        leaderEvents.signal();
    }

    @Override
    public void notifyLeaderReady() {
        leaderEvents.signal();
    }

    /** The entry that gives {@code range} to {@code shard}, made on the map of epoch {@code epoch}. */
    static byte[] assign(long epoch, SlotMap.Range range, int shard) {
        return ByteBuffer.allocate(16).put((byte) FORMAT).put((byte) ASSIGN).putLong(epoch)
                .putShort((short) range.first()).putShort((short) range.last()).putShort((short) shard).array();
    }

    /** A change's outcome, from its reply: the epoch of the map after it, or of the map that was newer than the one it was made on. */
    record Applied(boolean done, long epoch) {
        static Applied of(ByteString reply) {
            ByteBuffer b = reply.asReadOnlyByteBuffer();
            return new Applied(b.get() == OK, b.getLong());
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteBuffer in = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        ByteBuffer reply = ByteBuffer.allocate(9);
        if (in.remaining() != 16 || in.get() != FORMAT || in.get() != ASSIGN) {
            // Only this code writes entries: one that does not decode is a newer release's, refused alike everywhere.
            log.error("slot map entry {} does not decode; ignored", entry.getIndex());
            reply.put((byte) STALE).putLong(map.epoch());
        } else {
            long epoch = in.getLong();
            int first = Short.toUnsignedInt(in.getShort());
            int last = Short.toUnsignedInt(in.getShort());
            int shard = Short.toUnsignedInt(in.getShort());
            SlotMap now = map;
            if (epoch != now.epoch() || last >= HashSlot.SLOTS || first > last || shard > now.shards()) {
                reply.put((byte) STALE).putLong(now.epoch());
            } else {
                SlotMap next = now.assign(new SlotMap.Range(first, last), shard);
                map = next;
                log.info("slot map epoch {}: slots {}-{} to shard {}", next.epoch(), first, last, shard);
                for (Consumer<SlotMap> l : listeners) {
                    l.accept(next);
                }
                reply.put((byte) OK).putLong(next.epoch());
            }
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.array())));
    }

    /** A ReadIndex barrier: answered once this member has applied every change committed when it was asked. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        if (!request.getContent().equals(BARRIER)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a barrier: " + request));
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
