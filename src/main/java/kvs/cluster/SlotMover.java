package kvs.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import kvs.KvsException;
import kvs.UnavailableException;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.store.Bytes;
import kvs.store.Refusal;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves slots between the shards of a sharded cluster while clients go on (docs/CLUSTER.md,
 * "Moving slots"), and rebalances them: a move is recorded in the metadata group as it begins
 * ({@link #moveSlots}); the process that leads that group drives it ({@link #takeUp}), and if that
 * process stops, the next leader takes it up where it was. The driver reads the source through its
 * leader's queries ({@link ShardQueries}) and writes every step to the shards' logs through their
 * leaders, so it need not be a member of either shard.
 */
final class SlotMover {

    private static final Logger log = LoggerFactory.getLogger(SlotMover.class);

    /** How long {@link #moveSlots} waits for its move to end. */
    static final java.time.Duration MOVE_TIMEOUT = java.time.Duration.ofMinutes(30);

    /**
     * Slots moved together, frozen for one copy, at least: each run scans the source's keys, so
     * runs of fewer slots would make a move of many keys slower (a slot's writes wait for the copy
     * of the slots of its run).
     */
    static final int RUN_MIN_SLOTS = 64;
    /** Beyond {@link #RUN_MIN_SLOTS}, a run takes more slots while they hold this many keys at most (as the source counted them when the move began). */
    static final int RUN_KEYS = 4096;
    /** Slots moved together at most, however few keys they hold. */
    static final int RUN_SLOTS = 1024;

    /** The steps of a move its driver tells {@link #moveSteps} of, once each is done. */
    enum MoveStep { FROZEN, COPIED }

    /** Told of each step of a move this process drives (tests hold a move there). */
    volatile Consumer<MoveStep> moveSteps = step -> { };

    private final Supplier<Layout> layout;
    private final GroupClients groupClients;
    private final RaftGroupId metaGroup;
    private final IntFunction<RaftGroup> groupOf;
    private final BooleanSupplier leadsMeta;
    private final BooleanSupplier closed;
    /** The id of the move this process drives, or 0. */
    private final AtomicLong driving = new AtomicLong();

    /**
     * @param layout    the cluster's layout as this process last learned it
     * @param groupOf   each shard's Raft group, as the layout gives it
     * @param leadsMeta whether this process leads the metadata group now
     * @param closed    whether this process is closed
     */
    SlotMover(Supplier<Layout> layout, GroupClients groupClients, RaftGroupId metaGroup, IntFunction<RaftGroup> groupOf,
              BooleanSupplier leadsMeta, BooleanSupplier closed) {
        this.layout = layout;
        this.groupClients = groupClients;
        this.metaGroup = metaGroup;
        this.groupOf = groupOf;
        this.leadsMeta = leadsMeta;
        this.closed = closed;
    }

    private SlotMap map() {
        return layout.get().map();
    }

    private SlotMapMachine.Move move() {
        return layout.get().move();
    }

    /**
     * Moves {@code count} of shard {@code from}'s slots, those next to {@code to}'s (its highest
     * when {@code to} is the greater shard, else its lowest), as {@link #moveSlots(int, int, int[])} does.
     */
    long moveSlots(int from, int to, int count) throws KvsException {
        SlotMap map = map();
        if (from == to || from < 0 || to < 0 || from >= map.shards() || to >= map.shards()) {
            throw new Refusal("a move is between two shards of the " + map.shards() + " (0 to " + (map.shards() - 1)
                    + "): not " + from + " to " + to);
        }
        int[] owned = java.util.stream.IntStream.range(0, HashSlot.SLOTS).filter(slot -> map.owner(slot) == from).toArray();
        if (count > owned.length) {
            throw new Refusal("shard " + from + " owns " + owned.length + " slots, fewer than " + count);
        }
        int[] slots = to > from ? Arrays.copyOfRange(owned, owned.length - count, owned.length) : Arrays.copyOf(owned, count);
        try {
            return moveSlots(from, to, slots);
        } catch (IllegalArgumentException e) {
            throw new Refusal(e.getMessage()); // the map changed since it was read
        }
    }

    /**
     * Moves {@code slots}, which shard {@code from} owns, with their keys to shard {@code to}, while
     * clients go on, and returns once the move is done.
     *
     * @return the epoch of the slot map after the move
     * @throws IllegalArgumentException if the shards are not two of this cluster's, or a slot is not {@code from}'s
     * @throws KvsException if another move is under way, or this one has not ended within {@link #MOVE_TIMEOUT}
     *                      (it goes on: the slot map and {@code kvs-client cluster} show when it ends)
     */
    long moveSlots(int from, int to, int[] slots) throws KvsException {
        SlotMap map = map();
        if (from == to || from < 0 || to < 0 || from >= map.shards() || to >= map.shards()) {
            throw new IllegalArgumentException("a move is between two shards of " + map.shards() + ": not " + from + " to " + to);
        }
        int[] sorted = Arrays.stream(slots).sorted().distinct().toArray();
        for (int slot : sorted) {
            if (slot < 0 || slot >= HashSlot.SLOTS || map.owner(slot) != from) {
                throw new IllegalArgumentException("slot " + slot + " is not shard " + from + "'s");
            }
        }
        SlotMapMachine.Applied begun = SlotMapMachine.Applied.of(
                groupClients.write(metaGroup, SlotMapMachine.begin(from, to, sorted)).getMessage().getContent());
        if (!begun.done()) {
            throw new Refusal("another move of slots (" + begun.epoch() + ") is under way; one moves at a time");
        }
        long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
        for (SlotMapMachine.Move m; (m = move()) == null || m.id() <= begun.epoch(); ) {
            if (closed.getAsBoolean()) {
                throw new IllegalStateException("ShardedNode is closed");
            }
            if (m == null && map().owner(sorted[0]) == to) {
                return map().epoch();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new UnavailableException("the move of " + sorted.length + " slots from shard " + from + " to shard " + to
                        + " has not ended within " + MOVE_TIMEOUT.toMinutes() + " min; it goes on");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (map().owner(sorted[0]) == to) {
            return map().epoch(); // done, and another move begun since
        }
        throw new KvsException("the move of slots " + begun.epoch() + " ended without moving them");
    }

    /**
     * Moves slots until every shard owns {@link HashSlot#SLOTS} divided by their number (give or take
     * one), one move at a time, each from the shard that owns the most beyond its share to the one
     * that owns the fewest.
     *
     * @return how many slots moved
     */
    int rebalance() throws KvsException {
        int moved = 0;
        for (;;) {
            SlotMap map = map();
            int n = map.shards();
            int[] owned = new int[n];
            for (int slot = 0; slot < HashSlot.SLOTS; slot++) {
                owned[map.owner(slot)]++;
            }
            int most = 0;
            int fewest = 0;
            for (int i = 0; i < n; i++) {
                most = owned[i] - share(i, n) > owned[most] - share(most, n) ? i : most;
                fewest = owned[i] - share(i, n) < owned[fewest] - share(fewest, n) ? i : fewest;
            }
            int count = Math.min(owned[most] - share(most, n), share(fewest, n) - owned[fewest]);
            if (count <= 0) {
                return moved;
            }
            moveSlots(most, fewest, count);
            moved += count;
        }
    }

    /** Shard {@code shard}'s share of the slots when {@code shards} shards split them evenly: the first ones own one more. */
    private static int share(int shard, int shards) {
        return HashSlot.SLOTS / shards + (shard < HashSlot.SLOTS % shards ? 1 : 0);
    }

    /** Starts driving {@code move} here, when this process leads the metadata group and does not drive it yet. */
    void takeUp(SlotMapMachine.Move move) {
        if (!closed.getAsBoolean() && leadsMeta.getAsBoolean() && driving.compareAndSet(0, move.id())) {
            Thread.ofVirtual().name("kvs-move-" + move.id()).start(() -> drive(move));
        }
    }

    /**
     * Drives {@code move} to its end while it is under way and this process leads the metadata
     * group: its steps ({@link #moveSteps(SlotMapMachine.Move)}), then the entry that ends it; a
     * step that fails is tried again, the whole move from its first step, each step being harmless
     * done again.
     */
    private void drive(SlotMapMachine.Move move) {
        try {
            while (!closed.getAsBoolean() && leadsMeta.getAsBoolean() && move() != null && move().id() == move.id()) {
                try {
                    moveSteps(move);
                    groupClients.write(metaGroup, SlotMapMachine.end(move.id()));
                    return;
                } catch (KvsException | RuntimeException e) {
                    if (closed.getAsBoolean()) {
                        return;
                    }
                    log.warn("move {} of slots: {}; trying again", move.id(), e.toString());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
            }
        } finally {
            driving.set(0);
            SlotMapMachine.Move next = move(); // one begun while this one ended found it driven: take it up
            if (next != null && next.id() != move.id()) {
                takeUp(next);
            }
        }
    }

    /**
     * A move's steps, for each run of its slots in turn ({@value #RUN_MIN_SLOTS} slots, or more while
     * they hold {@value #RUN_KEYS} keys at most by the source's count as the move begins, up to
     * {@value #RUN_SLOTS}), each an entry of a
     * log, applied alike by every member, and each harmless done again: (1) the source freezes the
     * slots (their writes wait; reads go on), after which its engine holds the slots' keys as they
     * stay; (2) the target makes ready to receive them (removing any an earlier attempt left of a
     * slot not yet its own) and (3) imports them, read from the source's leader, in entries of at
     * most {@value ShardQueries#IMPORT_PAIRS} pairs (a slot it owns already takes none), then the
     * source's clients' last writes; (4) the source releases the slots (it serves them no more:
     * held requests go where the map sends them); (5) the metadata group gives each run of them to
     * the target, a map of a new epoch per run not given yet; (6) the target owns them (serves them
     * from then on); (7) the source drops its copy.
     */
    private void moveSteps(SlotMapMachine.Move move) throws KvsException {
        int[] all = move.slots();
        int[] counts = ShardQueries.decodeCounts(groupClients.read(known(move.from()), ShardQueries.counts(all)), all.length);
        for (int[] run : runs(all, counts, RUN_MIN_SLOTS, RUN_KEYS, RUN_SLOTS)) {
            moveSteps(move, run);
        }
    }

    /**
     * {@code slots} cut into runs of consecutive ones (in their order): each of {@code minSlots}
     * slots, or more while together they hold {@code maxKeys} keys at most by {@code counts} (the
     * keys of each slot), and {@code maxSlots} slots at most.
     */
    static List<int[]> runs(int[] slots, int[] counts, int minSlots, int maxKeys, int maxSlots) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < slots.length; ) {
            int j = i;
            long keys = 0;
            while (j < slots.length && j - i < maxSlots && (j - i < minSlots || keys + counts[j] <= maxKeys)) {
                keys += counts[j++];
            }
            runs.add(Arrays.copyOfRange(slots, i, j));
            i = j;
        }
        return runs;
    }

    /** The steps of {@code move} for {@code slots}, some of its slots. */
    private void moveSteps(SlotMapMachine.Move move, int[] slots) throws KvsException {
        RaftGroupId source = known(move.from());
        RaftGroupId target = known(move.to());
        step(source, move, SlotEntries.entry(move.id(), SlotEntries.Op.FREEZE, slots));
        moveSteps.accept(MoveStep.FROZEN);
        step(target, move, SlotEntries.entry(move.id(), SlotEntries.Op.RECEIVE, slots));
        copy(source, move, slots, target);
        step(target, move, bytes(groupClients.read(source, ShardQueries.sessions(move.id(), slots))));
        moveSteps.accept(MoveStep.COPIED);
        step(source, move, SlotEntries.entry(move.id(), SlotEntries.Op.RELEASE, slots));
        for (SlotMap.Range range : ranges(slots)) {
            while (!ownedBy(range, move.to())) {
                if (move() == null || move().id() != move.id()) {
                    throw new KvsException("move " + move.id() + " is over");
                }
                try {
                    assign(map().epoch(), range, move.to(), move.id());
                } catch (UnavailableException e) {
                    throw e;
                } catch (KvsException e) { // made on a map this process had not caught up with: look again
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
        }
        step(target, move, SlotEntries.entry(move.id(), SlotEntries.Op.OWN, slots));
        step(source, move, SlotEntries.entry(move.id(), SlotEntries.Op.DROP, slots));
    }

    /** Shard {@code shard}'s group id, its group made known to the clients. */
    private RaftGroupId known(int shard) {
        RaftGroup group = groupOf.apply(shard);
        groupClients.add(group);
        return group.getGroupId();
    }

    /** Imports into group {@code target} the keys of {@code slots} that group {@code source} holds, with their deadlines. */
    private void copy(RaftGroupId source, SlotMapMachine.Move move, int[] slots, RaftGroupId target) throws KvsException {
        List<Bytes> keys = ShardQueries.decodeKeys(groupClients.read(source, ShardQueries.keys(slots)));
        for (int i = 0; i < keys.size(); ) {
            List<Bytes> run = keys.subList(i, Math.min(keys.size(), i + ShardQueries.IMPORT_PAIRS));
            ShardQueries.Exported exported = ShardQueries.Exported.of(
                    groupClients.read(source, ShardQueries.export(move.id(), slots, run)));
            step(target, move, exported.entry());
            i += exported.read();
        }
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /**
     * Commits a step of {@code move} to {@code group}'s log; returns its index.
     *
     * @throws KvsException if the shard refused it: a later move has taken steps there, so this one is over
     */
    private long step(RaftGroupId group, SlotMapMachine.Move move, byte[] entry) throws KvsException {
        RaftClientReply reply = groupClients.write(group, entry);
        try {
            if (EntryCodec.outcomes(reply.getMessage().getContent().toByteArray()).get(0) instanceof EntryCodec.Applied.Refused r) {
                throw new KvsException("move " + move.id() + " stops: " + r.message());
            }
        } catch (EntryCodec.MalformedEntry e) {
            throw new KvsException("a shard's answer to a step of move " + move.id() + " does not decode: " + e.getMessage(), e);
        }
        return reply.getLogIndex();
    }

    /** Whether the slot map this process applied gives every slot of {@code range} to {@code shard}. */
    private boolean ownedBy(SlotMap.Range range, int shard) {
        SlotMap map = map();
        for (int slot = range.first(); slot <= range.last(); slot++) {
            if (map.owner(slot) != shard) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives {@code range} to {@code shard} in the replicated slot map, made on the map of epoch
     * {@code epoch}, through the metadata group's leader wherever it runs, as a step of move
     * {@code move} (0: of none, as tests make them: refused once that move is over); returns the
     * epoch of the map after it, once this process has learned it.
     *
     * @throws KvsException if the map is no longer at {@code epoch} (another change came first), or
     *                      the metadata group cannot take the change now
     */
    long assign(long epoch, SlotMap.Range range, int shard, long move) throws KvsException {
        if (shard < 0 || shard >= map().shards()) {
            throw new IllegalArgumentException("no shard " + shard + " of " + map().shards());
        }
        SlotMapMachine.Applied applied = SlotMapMachine.Applied.of(
                groupClients.write(metaGroup, SlotMapMachine.assign(epoch, range, shard, move)).getMessage().getContent());
        if (!applied.done()) {
            throw new KvsException("the slot map is at epoch " + applied.epoch() + ", not " + epoch + " as the change assumed"
                    + (move != 0 ? ", or move " + move + " is over" : ""));
        }
        awaitEpoch(applied.epoch());
        return applied.epoch();
    }

    /** Waits until this process has learned the slot map of epoch {@code epoch} or a later one. */
    void awaitEpoch(long epoch) throws KvsException {
        long deadline = System.nanoTime() + Submitter.REQUEST_TIMEOUT.toNanos();
        while (map().epoch() < epoch) {
            if (System.nanoTime() - deadline > 0) {
                throw new UnavailableException("this process has not learned the slot map of epoch " + epoch + " within "
                        + Submitter.REQUEST_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The runs of consecutive slots of {@code sorted}. */
    private static List<SlotMap.Range> ranges(int[] sorted) {
        List<SlotMap.Range> ranges = new ArrayList<>();
        for (int i = 0; i < sorted.length; ) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            ranges.add(new SlotMap.Range(sorted[i], sorted[j]));
            i = j + 1;
        }
        return ranges;
    }
}
