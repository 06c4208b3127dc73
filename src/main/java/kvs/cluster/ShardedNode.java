package kvs.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import kvs.KvsException;
import kvs.MovedException;
import kvs.UnavailableException;
import kvs.client.HostPort;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.slots.Topology;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Refusal;
import kvs.store.ShardStatus;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/**
 * One process of a sharded cluster (docs/CLUSTER.md): a member of every shard, each shard a Raft
 * group of the same members with an engine of its own, all hosted by one Ratis server
 * (multi-raft). Which shard owns each hash slot is the slot map of the cluster's metadata group
 * ({@link SlotMapMachine}), another Raft group over the same members; a slot is served by its
 * shard's leader, as this process's last applied map says. As the {@link Store} the server serves, it runs each slot's
 * requests on the slot's shard when this process leads it ({@link #forSlot}) and redirects the
 * others ({@link MovedException}); its whole keyspace ({@link #keys}, {@link #size}) is that of
 * the shards it leads, as a Redis Cluster node's is that of its slots. Its shards' engines share
 * one table of watched keys, so one watch covers keys of any shard.
 */
public final class ShardedNode implements Store, Topology {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShardedNode.class);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final ClusterConfig config;
    private final RaftServer server;
    private final List<ClusterNode> shards;
    /** Each shard's engine here, and its Raft group. */
    private final List<Store> engines;
    private final List<RaftGroupId> groupIds;
    /** Each shard's state machine here: its clients' last writes go with a move. */
    private final List<KvsStateMachine> machines;
    /** The metadata group's state machine: the slot map as this process last applied it. */
    private final SlotMapMachine slotMap;
    private final RaftGroupId slotMapGroup;
    private final GroupClients groupClients;
    private final Watches watches;
    private final List<Node> nodes;
    private final Map<String, Node> nodeById = new LinkedHashMap<>();
    private final Node self;
    /** Where the next expiry scan starts, round the shards. */
    private final AtomicInteger nextScan = new AtomicInteger();

    private ShardedNode(ClusterConfig config, List<Store> engines, RaftBootstrap.StartedShards started) {
        this.config = config;
        this.server = started.server();
        List<ClusterNode> nodesOfShards = new ArrayList<>();
        for (int i = 0; i < engines.size(); i++) {
            nodesOfShards.add(new ClusterNode(config, engines.get(i), server, started.groupIds().get(i),
                    started.stateMachines().get(i), false, this::reroute));
        }
        this.shards = List.copyOf(nodesOfShards);
        this.engines = List.copyOf(engines);
        this.machines = started.stateMachines();
        this.groupIds = started.groupIds();
        this.slotMap = started.slotMap();
        this.slotMapGroup = started.slotMapGroup().getGroupId();
        List<RaftGroup> groups = new ArrayList<>(started.groups());
        groups.add(started.slotMapGroup());
        this.groupClients = new GroupClients(groups);
        slotMap.onMove((move, fresh) -> takeUp(move));
        this.watches = engines.get(0).watches();
        for (Member m : config.members()) {
            nodeById.put(m.id(), new Node(nodeId(config.clusterId(), m.id()), m.resp().getAddress().getHostAddress(),
                    m.resp().getPort(), m.raft().getPort()));
        }
        this.nodes = List.copyOf(nodeById.values());
        this.self = nodeById.get(config.self());
    }

    /**
     * Starts this process's member of each of {@code engines.size()} shards (2 or more), shard
     * {@code i} over {@code engines.get(i)}; the engines must share one table of watched keys
     * ({@code EngineOptions.withWatches}). The process owns the engines from then on (they are
     * closed with it, or at once if it cannot start). Returns once the Ratis server hosts every
     * shard; the first leaders are elected in the background.
     */
    public static ShardedNode start(ClusterConfig config, List<Store> engines) throws IOException {
        return start(config, engines, p -> { });
    }

    /** {@link #start(ClusterConfig, List)}, with Ratis's properties adjusted last by {@code tuning}. */
    static ShardedNode start(ClusterConfig config, List<Store> engines, Consumer<RaftProperties> tuning) throws IOException {
        if (engines.size() < 2 || engines.size() > HashSlot.SLOTS) {
            throw new IllegalArgumentException("a sharded cluster has 2 to " + HashSlot.SLOTS + " shards, not " + engines.size());
        }
        for (Store e : engines) {
            if (e.watches() != engines.get(0).watches()) {
                throw new IllegalArgumentException("the shards' engines must share one table of watched keys");
            }
        }
        for (Member m : config.members()) {
            if (m.resp() == null) {
                throw new IllegalArgumentException("member '" + m.id() + "' has no RESP address: a sharded cluster "
                        + "redirects clients to each member's RESP address (--peer ID=KVS,RAFT,RESP)");
            }
        }
        return new ShardedNode(config, engines, RaftBootstrap.startShards(config, engines, tuning));
    }

    /** A Redis-style node id for member {@code member} of cluster {@code cluster}: 40 hex digits, the same on every process. */
    static String nodeId(String cluster, String member) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((cluster + "/" + member).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    @Override
    public boolean sharded() {
        return true;
    }

    /**
     * Slot {@code slot}'s shard, as the slot map says, when this process leads it, or while it
     * knows no leader (the shard then waits for one). While the slot moves in or out of a shard
     * led here (frozen, released before the map names its new owner, or being imported) it waits
     * for the move's next step, {@link Submitter#REQUEST_TIMEOUT} at most; then the shard's log
     * decides (a write of a slot it does not take is refused).
     */
    @Override
    public Store forSlot(int slot) throws MovedException {
        ensureOpen();
        long deadline = System.nanoTime() + Submitter.REQUEST_TIMEOUT.toNanos();
        for (;;) {
            ClusterNode shard = shards.get(slotMap.map().owner(slot));
            Member leader = shard.leader();
            if (leader != null && !leader.id().equals(config.self())) {
                throw new MovedException(slot, HostPort.show(leader.kvs()), HostPort.show(leader.resp()));
            }
            SlotStates states = shard.slots();
            long seen = states.version();
            if (leader == null || states.writable(slot) || System.nanoTime() - deadline > 0) {
                return shard;
            }
            try {
                states.await(seen, MOVE_POLL_NANOS); // the map's change is not signalled there: look again soon
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return shard;
            }
        }
    }

    /** How often a request of a moving slot looks again at the slot map. */
    private static final long MOVE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * Where a request goes that shard {@code from} ran after its slot moved (a read of a slot
     * released, a write the shard's log refused as the slot froze): the slot's shard now
     * ({@link #forSlot}), which may be {@code from} again once it takes the slot's writes.
     */
    private Store reroute(ClusterNode from, int slot) throws KvsException {
        Store next = forSlot(slot);
        if (next == from && !from.slots().writable(slot)) {
            throw new UnavailableException("slot " + slot + " is moving between shards and its move has not gone on within "
                    + Submitter.REQUEST_TIMEOUT.toSeconds() + " s; try again");
        }
        return next;
    }

    private Store shardOf(Bytes key) throws MovedException {
        return forSlot(HashSlot.of(key));
    }

    private Store shardOf(List<Bytes> keys) throws MovedException {
        int slot = HashSlot.common(keys);
        if (slot == HashSlot.SEVERAL) {
            throw new Refusal("the keys of one request must hash to one slot in a sharded cluster (a {hash tag} makes them)");
        }
        return forSlot(slot);
    }

    @Override
    public Bytes get(Bytes key) throws KvsException {
        return shardOf(key).get(key);
    }

    @Override
    public Entry entry(Bytes key) throws KvsException {
        return shardOf(key).entry(key);
    }

    @Override
    public List<Entry> entries(List<Bytes> keys) throws KvsException {
        return shardOf(keys).entries(keys);
    }

    @Override
    public List<Bytes> getAll(List<Bytes> keys) throws KvsException {
        return shardOf(keys).getAll(keys);
    }

    /** The table every shard's engine moves: a watch of this process covers keys of any shard. */
    @Override
    public Watches watches() {
        return watches;
    }

    @Override
    public InstantSource clock() {
        return shards.get(0).clock();
    }

    /**
     * Commits each write on its key's shard; one whose slot another process serves fails with
     * {@link MovedException}. A transaction names no key: it is refused here, and runs on the
     * store {@link #forSlot} gives for its keys' slot.
     */
    @Override
    public void writeAll(List<? extends Write<?>> writes) {
        ensureOpen();
        Map<Store, List<Write<?>>> byShard = new LinkedHashMap<>();
        for (Write<?> w : writes) {
            Bytes key = switch (w) {
                case Write.Set set -> set.key();
                case Write.Remove remove -> remove.key();
                case Write.RemoveExpired expired -> expired.key();
                case Write.Txn<?> txn -> null;
                case Write.Meta meta -> null;
            };
            if (key == null) {
                w.fail(new KvsException("a sharded cluster runs a transaction on the shard of its keys' slot (forSlot)"));
                continue;
            }
            try {
                byShard.computeIfAbsent(shardOf(key), s -> new ArrayList<>()).add(w);
            } catch (MovedException e) {
                w.fail(e);
            }
        }
        byShard.forEach(Store::writeAll);
    }

    /** The shards this process leads: its part of the keyspace. */
    private List<ClusterNode> led() {
        List<ClusterNode> led = new ArrayList<>();
        for (ClusterNode shard : shards) {
            if (shard.isReadyLeader()) {
                led.add(shard);
            }
        }
        return led;
    }

    /** The keys of the shards this process leads, as each lists them. */
    @Override
    public Iterator<Bytes> keys() throws KvsException {
        ensureOpen();
        List<Iterator<Bytes>> each = new ArrayList<>();
        for (ClusterNode shard : led()) {
            each.add(shard.keys());
        }
        return each.stream().flatMap(it -> java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(it, 0), false)).iterator();
    }

    /** How many keys the shards this process leads hold. */
    @Override
    public long size() throws KvsException {
        ensureOpen();
        long n = 0;
        for (ClusterNode shard : led()) {
            n += shard.size();
        }
        return n;
    }

    /** Keys with deadlines from the shards this process leads, a shard at a time, round them. */
    @Override
    public List<KeyDeadline> scanDeadlines(int count) throws KvsException {
        ensureOpen();
        List<KeyDeadline> found = new ArrayList<>();
        int start = Math.floorMod(nextScan.getAndIncrement(), shards.size());
        for (int i = 0; i < shards.size() && found.size() < count; i++) {
            found.addAll(shards.get((start + i) % shards.size()).scanDeadlines(count - found.size()));
        }
        return found;
    }

    @Override
    public Bytes meta(String name) {
        ensureOpen();
        return null;
    }

    @Override
    public void sync() throws KvsException {
        ensureOpen();
        for (ClusterNode shard : shards) {
            shard.sync();
        }
    }

    /**
     * The sums of the shards' engines' figures (every shard this process is a member of), shard 0's
     * Raft status as the process's, and each shard's slots and Raft status.
     */
    @Override
    public StoreFigures figures() {
        ensureOpen();
        List<StoreFigures> figures = new ArrayList<>();
        for (ClusterNode shard : shards) {
            figures.add(shard.figures());
        }
        StoreFigures first = figures.get(0);
        long keys = 0, withDeadline = 0, expired = 0, live = 0, total = 0, compactions = 0, last = 0, fsyncs = 0, writes = 0;
        List<ShardStatus> each = new ArrayList<>();
        SlotMap map = slotMap.map();
        for (int i = 0; i < figures.size(); i++) {
            StoreFigures f = figures.get(i);
            keys += f.keys();
            withDeadline += f.keysWithDeadline();
            expired += f.expiredKeys();
            live += f.liveBytes();
            total += f.totalBytes();
            compactions += f.compactions();
            last = Math.max(last, f.lastCompactionMillis());
            fsyncs += f.fsyncs();
            writes += f.writes();
            String slots = String.join(",", map.ranges(i).stream().map(SlotMap.Range::text).toList());
            each.add(new ShardStatus(i, slots, f.member()));
        }
        return new StoreFigures(first.engine(), first.durability(), keys, withDeadline, expired, live, total, compactions, last,
                fsyncs, writes, first.member(), each);
    }

    @Override
    public Node self() {
        return self;
    }

    @Override
    public List<Node> nodes() {
        return nodes;
    }

    @Override
    public SlotMap slots() {
        return slotMap.map();
    }

    /**
     * Gives {@code range} to {@code shard} in the replicated slot map, made on the map of epoch
     * {@code epoch}, through the metadata group's leader wherever it runs; returns the epoch of the
     * map after it, once this process has applied it.
     *
     * @throws KvsException if the map is no longer at {@code epoch} (another change came first), or
     *                      the metadata group cannot take the change now
     */
    long assign(long epoch, SlotMap.Range range, int shard) throws KvsException {
        return assign(epoch, range, shard, 0);
    }

    /** {@link #assign(long, SlotMap.Range, int)} as a step of move {@code move} (refused once that move is over). */
    private long assign(long epoch, SlotMap.Range range, int shard, long move) throws KvsException {
        if (shard < 0 || shard >= shards.size()) {
            throw new IllegalArgumentException("no shard " + shard + " of " + shards.size());
        }
        SlotMapMachine.Applied applied = SlotMapMachine.Applied.of(
                groupClients.write(slotMapGroup, SlotMapMachine.assign(epoch, range, shard, move)).getMessage().getContent());
        if (!applied.done()) {
            throw new KvsException("the slot map is at epoch " + applied.epoch() + ", not " + epoch + " as the change assumed"
                    + (move != 0 ? ", or move " + move + " is over" : ""));
        }
        awaitMap(applied.epoch());
        return applied.epoch();
    }

    /** Pairs an import entry carries at most, and bytes of keys and values (an entry must fit Ratis's appender buffer). */
    static final int IMPORT_PAIRS = 1024;
    static final int IMPORT_BYTES = 1 << 20;

    /**
     * Moves {@code count} of shard {@code from}'s slots, those next to {@code to}'s (its highest
     * when {@code to} is the greater shard, else its lowest), as {@link #moveSlots(int, int, int[])} does.
     */
    @Override
    public long moveSlots(int from, int to, int count) throws KvsException {
        ensureOpen();
        if (from == to || from >= shards.size() || to >= shards.size()) {
            throw new Refusal("a move is between two shards of the " + shards.size() + " (0 to " + (shards.size() - 1)
                    + "): not " + from + " to " + to);
        }
        SlotMap map = slotMap.map();
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
     * clients go on, and returns once the move is done. The metadata group records the move as it
     * begins (refused while another is under way); the process that leads that group drives it
     * ({@link #drive}), and if that process stops, the next leader takes the move up where it was.
     *
     * @return the epoch of the slot map after the move
     * @throws IllegalArgumentException if the shards are not two of this cluster's, or a slot is not {@code from}'s
     * @throws KvsException if another move is under way, or this one has not ended within {@link #MOVE_TIMEOUT}
     *                      (it goes on: the slot map and {@code kvs-client cluster} show when it ends)
     */
    long moveSlots(int from, int to, int[] slots) throws KvsException {
        ensureOpen();
        if (from == to || from < 0 || to < 0 || from >= shards.size() || to >= shards.size()) {
            throw new IllegalArgumentException("a move is between two shards of " + shards.size() + ": not " + from + " to " + to);
        }
        int[] sorted = java.util.Arrays.stream(slots).sorted().distinct().toArray();
        SlotMap map = slotMap.map();
        for (int slot : sorted) {
            if (slot < 0 || slot >= HashSlot.SLOTS || map.owner(slot) != from) {
                throw new IllegalArgumentException("slot " + slot + " is not shard " + from + "'s");
            }
        }
        SlotMapMachine.Applied begun = SlotMapMachine.Applied.of(
                groupClients.write(slotMapGroup, SlotMapMachine.begin(from, to, sorted)).getMessage().getContent());
        if (!begun.done()) {
            throw new Refusal("another move of slots (" + begun.epoch() + ") is under way; one moves at a time");
        }
        long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
        for (SlotMapMachine.Move m; (m = slotMap.move()) == null || m.id() <= begun.epoch(); ) {
            ensureOpen();
            if (m == null && slotMap.map().owner(sorted[0]) == to) {
                return slotMap.map().epoch();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new UnavailableException("the move of " + sorted.length + " slots from shard " + from + " to shard " + to
                        + " has not ended within " + MOVE_TIMEOUT.toMinutes() + " min; it goes on");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (slotMap.map().owner(sorted[0]) == to) {
            return slotMap.map().epoch(); // done, and another move begun since
        }
        throw new KvsException("the move of slots " + begun.epoch() + " ended without moving them");
    }

    /** The move of slots under way, as this process last applied the metadata group's log, or null (tests). */
    SlotMapMachine.Move slotMapMove() {
        return slotMap.move();
    }

    /** How long {@link #moveSlots} waits for its move to end. */
    static final java.time.Duration MOVE_TIMEOUT = java.time.Duration.ofMinutes(30);

    /** The steps of a move its driver tells {@link #moveSteps} of, once each is done. */
    enum MoveStep { FROZEN, COPIED }

    /** Told of each step of a move this process drives (tests hold a move there). */
    volatile Consumer<MoveStep> moveSteps = step -> { };

    /** The id of the move this process drives, or 0. */
    private final java.util.concurrent.atomic.AtomicLong driving = new java.util.concurrent.atomic.AtomicLong();

    /** Starts driving {@code move} here, when this process leads the metadata group and does not drive it yet. */
    private void takeUp(SlotMapMachine.Move move) {
        if (!closed.get() && leadsSlotMap() && driving.compareAndSet(0, move.id())) {
            Thread.ofVirtual().name("kvs-move-" + move.id()).start(() -> drive(move));
        }
    }

    private boolean leadsSlotMap() {
        try {
            return server.getDivision(slotMapGroup).getInfo().isLeader();
        } catch (IOException e) {
            return false;
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
            while (!closed.get() && leadsSlotMap() && slotMap.move() != null && slotMap.move().id() == move.id()) {
                try {
                    moveSteps(move);
                    groupClients.write(slotMapGroup, SlotMapMachine.end(move.id()));
                    return;
                } catch (KvsException | RuntimeException e) {
                    if (closed.get()) {
                        return;
                    }
                    log.warn("move {} of slots: {}; trying again", move.id(), e.toString());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
            }
        } finally {
            driving.set(0);
            SlotMapMachine.Move next = slotMap.move(); // one begun while this one ended found it driven: take it up
            if (next != null && next.id() != move.id()) {
                takeUp(next);
            }
        }
    }

    /**
     * A move's steps, for each run of {@value #MOVE_RUN} of its slots in turn, each an entry of a
     * log, applied alike by every member, and each harmless done again: (1) the source freezes the slots (their writes wait; reads go on) and this process's
     * member of it applies the freeze, after which its engine holds the slots' keys as they stay;
     * (2) the target makes ready to receive them (removing any an earlier attempt left of a slot not
     * yet its own) and (3) imports them, in entries of at most {@value #IMPORT_PAIRS} pairs (a slot it
     * owns already takes none); (4) the source releases the slots (it serves them no more: held
     * requests go where the map sends them); (5) the metadata group gives each run of them to the
     * target, a map of a new epoch per run not given yet; (6) the target owns them (serves them from
     * then on); (7) the source drops its copy.
     */
    private void moveSteps(SlotMapMachine.Move move) throws KvsException {
        int[] all = move.slots();
        for (int i = 0; i < all.length; i += MOVE_RUN) {
            moveSteps(move, Arrays.copyOfRange(all, i, Math.min(all.length, i + MOVE_RUN)));
        }
    }

    /** Slots moved together, frozen for one copy: a slot's writes wait no longer than the copy of so many slots. */
    static final int MOVE_RUN = 64;

    /** The steps of {@code move} for {@code slots}, some of its slots. */
    private void moveSteps(SlotMapMachine.Move move, int[] slots) throws KvsException {
        RaftGroupId source = groupIds.get(move.from());
        RaftGroupId target = groupIds.get(move.to());
        long frozen = step(source, move, SlotEntries.entry(move.id(), SlotEntries.Op.FREEZE, slots));
        awaitApplied(shards.get(move.from()), frozen);
        moveSteps.accept(MoveStep.FROZEN);
        step(target, move, SlotEntries.entry(move.id(), SlotEntries.Op.RECEIVE, slots));
        copy(engines.get(move.from()), move, slots, target);
        step(target, move, SlotEntries.sessions(move.id(), slots, machines.get(move.from()).sessions()));
        moveSteps.accept(MoveStep.COPIED);
        step(source, move, SlotEntries.entry(move.id(), SlotEntries.Op.RELEASE, slots));
        for (SlotMap.Range range : ranges(slots)) {
            while (!ownedBy(range, move.to())) {
                if (slotMap.move() == null || slotMap.move().id() != move.id()) {
                    throw new KvsException("move " + move.id() + " is over");
                }
                try {
                    assign(slotMap.map().epoch(), range, move.to(), move.id());
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

    /**
     * Commits a step of {@code move} to {@code group}'s log; returns its index.
     *
     * @throws KvsException if the shard refused it: a later move has taken steps there, so this one is over
     */
    private long step(RaftGroupId group, SlotMapMachine.Move move, byte[] entry) throws KvsException {
        org.apache.ratis.protocol.RaftClientReply reply = groupClients.write(group, entry);
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
        SlotMap map = slotMap.map();
        for (int slot = range.first(); slot <= range.last(); slot++) {
            if (map.owner(slot) != shard) {
                return false;
            }
        }
        return true;
    }

    /** Imports into group {@code target} the keys of {@code slots} that {@code engine} holds, with their deadlines. */
    private void copy(Store engine, SlotMapMachine.Move move, int[] slots, RaftGroupId target) throws KvsException {
        java.util.BitSet moving = new java.util.BitSet(HashSlot.SLOTS);
        for (int slot : slots) {
            moving.set(slot);
        }
        List<Bytes> keys = new ArrayList<>();
        for (Bytes key : StoredEntries.keys(engine)) {
            if (moving.get(HashSlot.of(key))) {
                keys.add(key);
            }
        }
        List<Write.Set> pairs = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < keys.size(); i += IMPORT_PAIRS) {
            List<Bytes> run = keys.subList(i, Math.min(keys.size(), i + IMPORT_PAIRS));
            List<Entry> entries = StoredEntries.entries(engine, run);
            for (int j = 0; j < run.size(); j++) {
                Entry e = entries.get(j);
                if (e == null) {
                    continue;
                }
                pairs.add(Write.set(run.get(j), e.value(), e.deadline()));
                bytes += run.get(j).length() + e.value().length();
                if (pairs.size() == IMPORT_PAIRS || bytes >= IMPORT_BYTES) {
                    step(target, move, SlotEntries.entry(move.id(), SlotEntries.Op.IMPORT, slots, pairs));
                    pairs.clear();
                    bytes = 0;
                }
            }
        }
        if (!pairs.isEmpty()) {
            step(target, move, SlotEntries.entry(move.id(), SlotEntries.Op.IMPORT, slots, pairs));
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

    /** Waits until this process's member of {@code shard} has applied the entry at {@code index}. */
    private static void awaitApplied(ClusterNode shard, long index) throws KvsException {
        long deadline = System.nanoTime() + Submitter.REQUEST_TIMEOUT.toNanos();
        while (shard.appliedIndex() < index) {
            if (System.nanoTime() - deadline > 0) {
                throw new UnavailableException("this process has not applied entry " + index + " of a shard within "
                        + Submitter.REQUEST_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Waits until this process has applied the slot map of epoch {@code epoch} or a later one. */
    private void awaitMap(long epoch) throws KvsException {
        long deadline = System.nanoTime() + Submitter.REQUEST_TIMEOUT.toNanos();
        while (slotMap.map().epoch() < epoch) {
            if (System.nanoTime() - deadline > 0) {
                throw new UnavailableException("this process has not applied the slot map of epoch " + epoch + " within "
                        + Submitter.REQUEST_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Shard {@code shard}'s leader, or while it has none known, the member of highest priority, which is to lead it. */
    @Override
    public Node server(int shard) {
        Member leader = shards.get(shard).leader();
        String id = leader != null ? leader.id() : config.members().get(shard % config.members().size()).id();
        return nodeById.get(id);
    }

    @Override
    public boolean allServed() {
        for (ClusterNode shard : shards) {
            if (shard.leader() == null) {
                return false;
            }
        }
        return true;
    }

    /** This process's kvs address. */
    public InetSocketAddress address() {
        return config.selfMember().kvs();
    }

    /** How many shards the cluster has. */
    public int shardCount() {
        return shards.size();
    }

    /** Shard {@code i}'s member here (tests). */
    ClusterNode shard(int i) {
        return shards.get(i);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ShardedNode is closed");
        }
    }

    /** Stops the Ratis server, then closes every shard's engine. */
    @Override
    public void close() throws KvsException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        KvsException failure = null;
        try {
            groupClients.close();
            server.close();
        } catch (IOException e) {
            failure = new KvsException("cannot stop the Raft server of '" + config.self() + "': " + e.getMessage(), e);
        }
        for (ClusterNode shard : shards) {
            try {
                shard.close();
            } catch (KvsException | RuntimeException e) {
                if (failure == null) {
                    failure = e instanceof KvsException k ? k : new KvsException(e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
