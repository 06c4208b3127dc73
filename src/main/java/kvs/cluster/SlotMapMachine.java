package kvs.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of a sharded cluster's metadata group: the cluster's {@link Layout} (the slot
 * map, each shard's members, the move of slots under way), which every founding process learns
 * by applying the group's log, and a process that joined later by asking for it ({@link #query}).
 * The layout starts as {@link Layout#initial} at epoch 1, the same on every member, and changes
 * only by the group's entries, each a change made on the epoch it names ({@link #assign}): an
 * entry made on an older map is refused, so two changes made on one map cannot both apply. A
 * shard is added by naming its number, the next one, and its members ({@link #addShard}: the
 * same entry again is harmless, another for that number refused). A move is recorded when it
 * begins ({@link #begin}: refused while another is under way) and cleared when it ends
 * ({@link #end}); the member that leads the group drives it, and a new leader takes up a move
 * its predecessor left. The log is short (a few entries per move or added shard) and is
 * replayed whole at every start; no snapshot is taken.
 *
 * <pre>
 * entry := FORMAT(u8 = 1) (ASSIGN(u8 = 1) i64(epoch) u16(first) u16(last) u16(shard) i64(move)
 *                          | BEGIN(u8 = 2) u16(from) u16(to) u16(count) u16(slot)* | END(u8 = 3) i64(move)
 *                          | ADD_SHARD(u8 = 4) u16(shard) u8(count) str(member spec)*)
 * reply := OK(u8 = 0) i64(epoch of the map after, or the move's id) | STALE(u8 = 1) i64(epoch of the map now, or the move under way)
 * query := LAYOUT(u8 = 'L'), answered by the layout ({@link Layout#encode}), or a barrier
 * </pre>
 * A move's id is the index of its BEGIN entry; an ASSIGN is a step of the move it names, refused
 * unless that move is under way (0: of none, as tests make them).
 */
final class SlotMapMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(SlotMapMachine.class);
    private static final int FORMAT = 1;
    private static final int ASSIGN = 1;
    private static final int BEGIN = 2;
    private static final int END = 3;
    private static final int ADD_SHARD = 4;
    static final byte[] LAYOUT = {'L'};
    private static final int OK = 0;
    private static final int STALE = 1;
    private static final ByteString BARRIER = ByteString.copyFrom(EntryCodec.BARRIER);

    private volatile Layout layout;
    /** Told of a move when it begins here and when this member becomes the group's leader with one under way. */
    private volatile java.util.function.BiConsumer<Move, Boolean> moves = (m, fresh) -> { };
    /** Told of every change of the layout. */
    private volatile Runnable changed = () -> { };

    /** The machine of a cluster of {@code shards} shards over {@code founders}, at its first layout. */
    SlotMapMachine(List<Member> founders, int shards) {
        this.layout = Layout.initial(founders, shards);
    }

    /** The layout as of the last entry this member applied. */
    Layout layout() {
        return layout;
    }

    /** Calls {@code listener} after every change of the layout; it runs on Ratis's threads and must not block. */
    void onChange(Runnable listener) {
        this.changed = listener;
    }

    /** The entry that adds shard {@code shard}, of {@code members} (the first expected to lead it). */
    static byte[] addShard(int shard, List<Member> members) {
        List<byte[]> specs = members.stream().map(m -> m.spec().getBytes(StandardCharsets.UTF_8)).toList();
        ByteBuffer b = ByteBuffer.allocate(5 + specs.stream().mapToInt(x -> 2 + x.length).sum())
                .put((byte) FORMAT).put((byte) ADD_SHARD).putShort((short) shard).put((byte) members.size());
        specs.forEach(x -> b.putShort((short) x.length).put(x));
        return b.array();
    }

    /**
     * A move of slots from one shard to another.
     *
     * @param id    the index of the entry that began it
     * @param from  the shard that owns the slots at the start
     * @param to    the shard that owns them at the end
     * @param slots the slots, in order
     */
    record Move(long id, int from, int to, int[] slots) {
    }


    /**
     * Calls {@code driver} with a move as it begins (second argument true) and, when this member
     * becomes the group's leader, with the move under way, if any (false); it runs on Ratis's
     * threads and must not block.
     */
    void onMove(java.util.function.BiConsumer<Move, Boolean> driver) {
        this.moves = driver;
    }

    /** The entry that begins a move of {@code slots} from shard {@code from} to shard {@code to}. */
    static byte[] begin(int from, int to, int[] slots) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * slots.length).put((byte) FORMAT).put((byte) BEGIN)
                .putShort((short) from).putShort((short) to).putShort((short) slots.length);
        for (int slot : slots) {
            b.putShort((short) slot);
        }
        return b.array();
    }

    /** The entry that ends move {@code id}. */
    static byte[] end(long id) {
        return ByteBuffer.allocate(10).put((byte) FORMAT).put((byte) END).putLong(id).array();
    }

    /** This member leads the group now: it takes up the move under way, if any. */
    @Override
    public void notifyLeaderReady() {
        Move m = layout.move();
        if (m != null) {
            moves.accept(m, false);
        }
    }

    /** The entry that gives {@code range} to {@code shard}, made on the map of epoch {@code epoch}, a step of move {@code move}. */
    static byte[] assign(long epoch, SlotMap.Range range, int shard, long move) {
        return ByteBuffer.allocate(24).put((byte) FORMAT).put((byte) ASSIGN).putLong(epoch)
                .putShort((short) range.first()).putShort((short) range.last()).putShort((short) shard).putLong(move).array();
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
        int kind = in.remaining() >= 2 && in.get(0) == FORMAT ? in.get(1) : -1;
        if (kind == BEGIN || kind == END) {
            applyMove(in.position(2), entry.getIndex(), kind, reply);
        } else if (kind == ADD_SHARD) {
            applyAddShard(in.position(2), reply);
        } else if (in.remaining() != 24 || in.get() != FORMAT || in.get() != ASSIGN) {
            // Only this code writes entries: one that does not decode is a newer release's, refused alike everywhere.
            log.error("slot map entry {} does not decode; ignored", entry.getIndex());
            reply.put((byte) STALE).putLong(layout.map().epoch());
        } else {
            long epoch = in.getLong();
            int first = Short.toUnsignedInt(in.getShort());
            int last = Short.toUnsignedInt(in.getShort());
            int shard = Short.toUnsignedInt(in.getShort());
            long of = in.getLong();
            SlotMap now = layout.map();
            Move under = layout.move();
            boolean stepOfNoMove = of != 0 && (under == null || under.id() != of);
            if (epoch != now.epoch() || last >= HashSlot.SLOTS || first > last || shard >= now.shards() || stepOfNoMove) {
                reply.put((byte) STALE).putLong(now.epoch());
            } else {
                SlotMap next = now.assign(new SlotMap.Range(first, last), shard);
                layout = layout.withMap(next);
                changed.run();
                log.info("slot map epoch {}: slots {}-{} to shard {}", next.epoch(), first, last, shard);
                reply.put((byte) OK).putLong(next.epoch());
            }
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.array())));
    }

    /**
     * Adds the shard the entry names, when it is the next one and its members are known by no
     * other addresses; the same entry again is answered as done.
     */
    private void applyAddShard(ByteBuffer in, ByteBuffer reply) {
        Layout now = layout;
        int shard = Short.toUnsignedInt(in.getShort());
        List<Member> members = new ArrayList<>();
        try {
            for (int n = in.get(); n > 0; n--) {
                byte[] spec = new byte[Short.toUnsignedInt(in.getShort())];
                in.get(spec);
                members.add(Member.parse(new String(spec, StandardCharsets.UTF_8)));
            }
        } catch (RuntimeException e) {
            log.error("an added shard's members do not decode: {}; ignored", e.getMessage());
            reply.put((byte) STALE).putLong(now.shards().size());
            return;
        }
        if (shard < now.shards().size() && now.shards().get(shard).members().equals(members)) {
            reply.put((byte) OK).putLong(now.map().epoch()); // the same entry again
            return;
        }
        boolean known = members.stream().allMatch(m -> now.process(m.id()) == null || now.process(m.id()).equals(m));
        if (shard != now.shards().size() || shard >= HashSlot.SLOTS || members.isEmpty() || !known) {
            reply.put((byte) STALE).putLong(now.shards().size());
            return;
        }
        layout = now.withShard(members);
        log.info("slot map epoch {}: shard {} added, members {}", layout.map().epoch(), shard,
                members.stream().map(Member::id).toList());
        reply.put((byte) OK).putLong(layout.map().epoch());
        changed.run();
    }

    /** Begins a move (unless one is under way) or ends one. */
    private void applyMove(ByteBuffer in, long index, int kind, ByteBuffer reply) {
        Move now = layout.move();
        if (kind == END) {
            long id = in.getLong();
            if (now != null && now.id() == id) {
                layout = layout.withMove(null);
                changed.run();
                log.info("move {} of {} slots from shard {} to shard {} done", id, now.slots().length, now.from(), now.to());
            }
            reply.put((byte) OK).putLong(id);
            return;
        }
        int from = Short.toUnsignedInt(in.getShort());
        int to = Short.toUnsignedInt(in.getShort());
        int[] slots = new int[Short.toUnsignedInt(in.getShort())];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = Short.toUnsignedInt(in.getShort());
        }
        if (now != null) {
            reply.put((byte) STALE).putLong(now.id());
            return;
        }
        Move begun = new Move(index, from, to, slots);
        layout = layout.withMove(begun);
        changed.run();
        log.info("move {} of {} slots from shard {} to shard {} begins", index, slots.length, from, to);
        reply.put((byte) OK).putLong(index);
        moves.accept(begun, true);
    }

    /**
     * The layout ({@link #LAYOUT}), or a ReadIndex barrier: answered once this member has applied
     * every change committed when it was asked.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        if (request.getContent().equals(ByteString.copyFrom(LAYOUT))) {
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(layout.encode())));
        }
        if (!request.getContent().equals(BARRIER)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a barrier: " + request));
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
