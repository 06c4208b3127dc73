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
import kvs.store.MemberStatus;
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
 * One process of a sharded cluster (docs/CLUSTER.md): a member of some of its shards, each shard a
 * Raft group with an engine of its own, all hosted by one Ratis server (multi-raft). The cluster's
 * {@link Layout} (which shard owns each hash slot, each shard's members) is that of its metadata
 * group ({@link SlotMapMachine}), a Raft group of the processes that founded the cluster; a
 * process that joined later learns it by asking that group ({@link #LAYOUT_POLL}). A slot is
 * served by its shard's leader, as this process's last learned layout says. As the {@link Store}
 * the server serves, it runs each slot's requests on the slot's shard when this process leads it
 * ({@link #forSlot}) and redirects the others ({@link MovedException}); its whole keyspace
 * ({@link #keys}, {@link #size}) is that of the shards it leads, as a Redis Cluster node's is
 * that of its slots. Its shards' engines share one table of watched keys, so one watch covers keys
 * of any shard. A shard added to the cluster ({@link #addShard}) is hosted by the processes it
 * names as they learn of it ({@link #host}).
 */
public final class ShardedNode implements Store, Topology {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShardedNode.class);

    /** How often a process that joined the cluster asks its metadata group for the layout. */
    static final long LAYOUT_POLL = TimeUnit.MILLISECONDS.toNanos(200);
    /** How often a process asks the shards it is not a member of which member leads them. */
    static final long REMOTE_LEADERS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final ClusterConfig config;
    private final RaftServer server;
    private final ShardMachines machines;
    /** The metadata group's state machine in a founding process, or null in one that joined. */
    private final SlotMapMachine slotMap;
    private final RaftGroupId metaGroup;
    /** The layout a process that joined last learned, or null in a founding process. */
    private volatile Layout joinedLayout;
    private final GroupClients groupClients;
    private final SlotMover mover;
    /** The leaders of the shards this process is not a member of, as their groups last answered it ({@link #REMOTE_LEADERS}). */
    private final Map<Integer, Member> remoteLeaders = new java.util.concurrent.ConcurrentHashMap<>();
    /** This process's member of each shard, by shard number; null for a shard it is not a member of (or not yet). */
    private volatile ClusterNode[] local = new ClusterNode[0];
    private final Object hosting = new Object();
    /** Where the next expiry scan starts, round the shards. */
    private final AtomicInteger nextScan = new AtomicInteger();

    private ShardedNode(ClusterConfig config, RaftBootstrap.StartedShards started, List<Member> founders) {
        this.config = config;
        this.server = started.server();
        this.machines = started.machines();
        this.slotMap = machines.slotMap();
        this.metaGroup = started.metaGroup().getGroupId();
        this.groupClients = new GroupClients(List.of(started.metaGroup()));
        this.mover = new SlotMover(this::layout, groupClients, metaGroup,
                shard -> RaftBootstrap.shardGroup(config.clusterId(), shard, layout().shards().get(shard)), this::leadsMeta,
                closed::get);
        if (slotMap != null) {
            slotMap.onMove((move, fresh) -> mover.takeUp(move));
            slotMap.onChange(this::layoutChanged);
        }
    }

    /**
     * Starts this process of a sharded cluster of {@code shards} shards at first (2 or more),
     * founded by {@code founders}; this process is one of them, or one that joined the running
     * cluster later (started with the same founders, {@code config.members()} being the
     * founders and this process). Each shard's engine here is opened by {@code engines}; the
     * process owns them from then on (they are closed with it, or at once if it cannot start).
     * Returns once the Ratis server hosts the shards this process is a member of (a founder: every
     * first shard; one that joined: once it has learned the layout); the first leaders are elected
     * in the background.
     */
    public static ShardedNode start(ClusterConfig config, int shards, ShardEngines engines) throws IOException {
        return start(config, shards, engines, p -> { });
    }

    /** {@link #start(ClusterConfig, int, ShardEngines)}, with Ratis's properties adjusted last by {@code tuning}. */
    static ShardedNode start(ClusterConfig config, int shards, ShardEngines engines, Consumer<RaftProperties> tuning)
            throws IOException {
        if (shards < 2 || shards > HashSlot.SLOTS) {
            throw new IllegalArgumentException("a sharded cluster has 2 to " + HashSlot.SLOTS + " shards, not " + shards);
        }
        for (Member m : config.members()) {
            if (m.resp() == null) {
                throw new IllegalArgumentException("member '" + m.id() + "' has no RESP address: a sharded cluster "
                        + "redirects clients to each member's RESP address (--peer ID=KVS,RAFT,RESP)");
            }
        }
        return start(config, config.members(), shards, engines, tuning);
    }

    /**
     * Starts a process that joins a running sharded cluster (founded with {@code shards} shards):
     * {@code config.members()} are the cluster's founders and this process. It learns the layout
     * from the founders' metadata group, and hosts the shards added with it as a member.
     */
    public static ShardedNode join(ClusterConfig config, int shards, ShardEngines engines) throws IOException {
        return join(config, shards, engines, p -> { });
    }

    /** {@link #join(ClusterConfig, int, ShardEngines)}, with Ratis's properties adjusted last by {@code tuning}. */
    static ShardedNode join(ClusterConfig config, int shards, ShardEngines engines, Consumer<RaftProperties> tuning)
            throws IOException {
        List<Member> founders = config.members().stream().filter(m -> !m.id().equals(config.self())).toList();
        if (config.selfMember().resp() == null) {
            throw new IllegalArgumentException("this process has no RESP address: a sharded cluster redirects clients to it");
        }
        return start(config, founders, shards, engines, tuning);
    }

    private static ShardedNode start(ClusterConfig config, List<Member> founders, int shards, ShardEngines engines,
                                     Consumer<RaftProperties> tuning) throws IOException {
        ShardedNode node = new ShardedNode(config, RaftBootstrap.startShards(config, founders, shards, engines, tuning), founders);
        try {
            if (node.slotMap == null) {
                node.joinedLayout = node.askLayout();
                Thread.ofVirtual().name("kvs-layout").start(node::pollLayout);
            }
            node.host();
            Thread.ofVirtual().name("kvs-remote-leaders").start(node::watchRemoteLeaders);
        } catch (IOException | KvsException | RuntimeException e) {
            try {
                node.close();
            } catch (KvsException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("cannot start '" + config.self() + "' of its sharded cluster: " + e.getMessage(), e);
        }
        return node;
    }

    /** The cluster's layout as this process last learned it. */
    Layout layout() {
        return slotMap != null ? slotMap.layout() : joinedLayout;
    }

    /** The layout as the metadata group's leader has it now (a process that joined). */
    private Layout askLayout() throws KvsException {
        return Layout.decode(groupClients.read(metaGroup, SlotMapMachine.LAYOUT));
    }

    private static long moveId(Layout layout) {
        return layout.move() == null ? 0 : layout.move().id();
    }

    /** Asks for the layout every {@link #LAYOUT_POLL} while this process (one that joined) runs; hosts shards added. */
    private void pollLayout() {
        while (!closed.get()) {
            LockSupport.parkNanos(LAYOUT_POLL);
            try {
                Layout before = joinedLayout;
                Layout now = askLayout();
                if (now.map().epoch() > before.map().epoch() || moveId(now) != moveId(before)) {
                    joinedLayout = now;
                    layoutChanged();
                }
            } catch (KvsException | RuntimeException e) {
                if (!closed.get()) {
                    log.warn("cannot learn the cluster's layout: {}", e.toString());
                }
            }
        }
    }

    /**
     * Asks each shard this process is not a member of which member leads it, every
     * {@link #REMOTE_LEADERS} while this process runs (a ReadIndex barrier through its leader):
     * requests of its slots are redirected there, rather than to the member expected to lead it,
     * which may be down.
     */
    private void watchRemoteLeaders() {
        while (!closed.get()) {
            LockSupport.parkNanos(REMOTE_LEADERS);
            Layout layout = layout();
            for (int i = 0; i < layout.shards().size() && !closed.get(); i++) {
                if (local(i) != null) {
                    remoteLeaders.remove(i);
                    continue;
                }
                RaftGroupId group = ShardMachines.shardGroupId(config.clusterId(), i);
                try {
                    groupClients.read(group, EntryCodec.BARRIER);
                    org.apache.ratis.protocol.RaftPeerId leader = groupClients.leader(group);
                    Member m = leader == null ? null : layout.process(leader.toString());
                    if (m != null) {
                        remoteLeaders.put(i, m);
                    } else {
                        remoteLeaders.remove(i);
                    }
                } catch (KvsException | RuntimeException e) {
                    remoteLeaders.remove(i);
                }
            }
        }
    }

    /** The member that serves shard {@code shard}, of which this process is not a member: its leader as last learned, or the member expected to lead it. */
    private Member remoteServer(Layout layout, int shard) {
        Member leader = remoteLeaders.get(shard);
        return leader != null ? leader : layout.shards().get(shard).expected();
    }

    /**
     * The layout changed: wakes the requests waiting for a moving slot's next step, and hosts the
     * shards added (on a thread of its own: the caller must not block).
     */
    private void layoutChanged() {
        for (ClusterNode n : local) {
            if (n != null) {
                n.slots().wake();
            }
        }
        if (layout().shards().size() > local.length) {
            Thread.ofVirtual().name("kvs-host-shards").start(this::hostQuietly);
        }
    }

    private void hostQuietly() {
        try {
            host();
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                log.error("cannot host the shards added to the cluster: {}", e.toString(), e);
            }
        }
    }

    /**
     * Hosts every shard of the layout this process is a member of and does not host yet: adds its
     * group to the Ratis server (unless it loaded it from its directory) and serves it.
     */
    private void host() throws IOException {
        synchronized (hosting) {
            Layout layout = layout();
            ClusterNode[] now = Arrays.copyOf(local, Math.max(local.length, layout.shards().size()));
            for (int i = 0; i < layout.shards().size(); i++) {
                Layout.ShardMembers members = layout.shards().get(i);
                RaftGroup group = RaftBootstrap.shardGroup(config.clusterId(), i, members);
                groupClients.add(group);
                if (now[i] != null || !members.has(config.self()) || closed.get()) {
                    continue;
                }
                RaftBootstrap.addGroup(server, group);
                ClusterConfig shardConfig = new ClusterConfig(config.self(), members.members(), config.clusterId(),
                        config.electionTimeout(), config.raftDir(), config.snapshotEvery(), config.reads());
                now[i] = new ClusterNode(shardConfig, machines.engine(i), server, group.getGroupId(), machines.machine(i),
                        false, this::reroute);
                local = now.clone();
                log.info("'{}' hosts shard {} (members {})", config.self(), i, members.members().stream().map(Member::id).toList());
            }
            local = now;
        }
    }

    /** This process's member of shard {@code shard}, or null. */
    private ClusterNode local(int shard) {
        ClusterNode[] l = local;
        return shard < l.length ? l[shard] : null;
    }

    /** This process's members of shards, in shard order. */
    private List<ClusterNode> hosted() {
        List<ClusterNode> hosted = new ArrayList<>();
        for (ClusterNode n : local) {
            if (n != null) {
                hosted.add(n);
            }
        }
        return hosted;
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
            Layout layout = layout();
            int owner = layout.map().owner(slot);
            ClusterNode shard = local(owner);
            if (shard == null) {
                shard = owning(slot); // the map learned here may be older than a move to a shard of this process
            }
            if (shard == null) { // a shard of other processes: a member of it redirects again if another leads
                Member server = remoteServer(layout, owner);
                throw new MovedException(slot, HostPort.show(server.kvs()), HostPort.show(server.resp()));
            }
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
                states.await(seen, MOVE_POLL_NANOS); // woken by a change of the shard's states or of the layout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return shard;
            }
        }
    }

    /**
     * The shard of this process that owns {@code slot} by its own log (its ownership fence), or is
     * importing it, or null.
     */
    private ClusterNode owning(int slot) {
        for (ClusterNode n : local) {
            if (n != null && n.slots().state(slot) != SlotStates.ABSENT) {
                return n;
            }
        }
        return null;
    }

    /** How often a request of a moving slot looks again at the slot map, at least (changes wake it). */
    private static final long MOVE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
        return machines.watches();
    }

    @Override
    public InstantSource clock() {
        List<ClusterNode> hosted = hosted();
        return hosted.isEmpty() ? InstantSource.system() : hosted.get(0).clock();
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
        for (ClusterNode shard : hosted()) {
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
        List<ClusterNode> hosted = hosted();
        int start = Math.floorMod(nextScan.getAndIncrement(), Math.max(1, hosted.size()));
        for (int i = 0; i < hosted.size() && found.size() < count; i++) {
            found.addAll(hosted.get((start + i) % hosted.size()).scanDeadlines(count - found.size()));
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
        for (ClusterNode shard : hosted()) {
            shard.sync();
        }
    }

    /**
     * The sums of the figures of the engines of the shards this process is a member of, the first
     * one's Raft status as the process's (role {@code none} while it is a member of none), and each
     * shard's slots and, where this process is its member, Raft status.
     */
    @Override
    public StoreFigures figures() {
        ensureOpen();
        long keys = 0, withDeadline = 0, expired = 0, live = 0, total = 0, compactions = 0, last = 0, fsyncs = 0, writes = 0;
        List<ShardStatus> each = new ArrayList<>();
        Layout layout = layout();
        SlotMap map = layout.map();
        StoreFigures first = null;
        ClusterNode[] nodes = local;
        for (int i = 0; i < map.shards(); i++) {
            String slots = String.join(",", map.ranges(i).stream().map(SlotMap.Range::text).toList());
            Layout.ShardMembers members = layout.shards().get(i);
            List<String> ids = new ArrayList<>(List.of(members.expected().id()));
            members.members().stream().map(Member::id).filter(id -> !id.equals(ids.get(0))).forEach(ids::add);
            String memberIds = String.join(",", ids);
            if (i >= nodes.length || nodes[i] == null) {
                each.add(new ShardStatus(i, slots, memberIds, null));
                continue;
            }
            StoreFigures f = nodes[i].figures();
            first = first == null ? f : first;
            keys += f.keys();
            withDeadline += f.keysWithDeadline();
            expired += f.expiredKeys();
            live += f.liveBytes();
            total += f.totalBytes();
            compactions += f.compactions();
            last = Math.max(last, f.lastCompactionMillis());
            fsyncs += f.fsyncs();
            writes += f.writes();
            each.add(new ShardStatus(i, slots, memberIds, f));
        }
        MemberStatus process = first != null ? first.member() : new MemberStatus(config.self(), "none", 0, null, 0);
        SlotMapMachine.Move move = layout.move();
        String moving = move == null ? "" : move.slots().length + " slots from shard " + move.from() + " to shard " + move.to();
        return new StoreFigures(first == null ? "none" : first.engine(), "raft", keys, withDeadline, expired, live, total,
                compactions, last, fsyncs, writes, process, each, map.epoch(), moving);
    }

    @Override
    public Node self() {
        return node(config.selfMember());
    }

    private Node node(Member m) {
        return new Node(nodeId(config.clusterId(), m.id()), m.resp().getAddress().getHostAddress(), m.resp().getPort(),
                m.raft().getPort());
    }

    @Override
    public List<Node> nodes() {
        return layout().processes().stream().map(this::node).toList();
    }

    @Override
    public SlotMap slots() {
        return layout().map();
    }

    /**
     * Shard {@code shard}'s leader, or while this process knows none, the member expected to lead
     * it (of a shard this process is not a member of: its leader as last learned, {@link #REMOTE_LEADERS}).
     */
    @Override
    public Node server(int shard) {
        ClusterNode here = local(shard);
        if (here == null) {
            return node(remoteServer(layout(), shard));
        }
        Member leader = here.leader();
        return node(leader != null ? leader : layout().shards().get(shard).expected());
    }

    /** Whether every shard this process is a member of has a leader it knows of. */
    @Override
    public boolean allServed() {
        for (ClusterNode shard : hosted()) {
            if (shard.leader() == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives {@code range} to {@code shard} in the replicated slot map, made on the map of epoch
     * {@code epoch}, as no move's step (tests); returns the epoch of the map after it, once this
     * process has learned it.
     */
    long assign(long epoch, SlotMap.Range range, int shard) throws KvsException {
        return mover.assign(epoch, range, shard, 0);
    }

    @Override
    public long moveSlots(int from, int to, int count) throws KvsException {
        ensureOpen();
        return mover.moveSlots(from, to, count);
    }

    /** Moves {@code slots}, which shard {@code from} owns, with their keys to shard {@code to} ({@link SlotMover#moveSlots(int, int, int[])}). */
    long moveSlots(int from, int to, int[] slots) throws KvsException {
        ensureOpen();
        return mover.moveSlots(from, to, slots);
    }

    @Override
    public int rebalance() throws KvsException {
        ensureOpen();
        return mover.rebalance();
    }

    /** The move of slots under way, as this process last learned the layout, or null (tests). */
    SlotMapMachine.Move slotMapMove() {
        return layout().move();
    }

    /** The steps of the moves this process drives are told to {@code steps} (tests hold a move there). */
    void onMoveSteps(Consumer<SlotMover.MoveStep> steps) {
        mover.moveSteps = steps;
    }

    private boolean leadsMeta() {
        try {
            return slotMap != null && server.getDivision(metaGroup).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Adds a shard to the cluster, of {@code specs}' processes: each an id of a process of the
     * cluster, or {@code ID=KVS,RAFT,RESP} (a process that joined it, with {@code --join}); the
     * first is expected to lead the shard. Returns the new shard's number once it has a leader
     * and this process has learned it; it owns no slot until slots move to it.
     *
     * @throws KvsException a {@link Refusal} if the members are not 3 or 5 distinct processes, a new one
     *                      is named by addresses another process has, or another shard was added meanwhile
     */
    @Override
    public int addShard(List<String> specs) throws KvsException {
        ensureOpen();
        Layout layout = layout();
        List<Member> members = new ArrayList<>();
        for (String spec : specs) {
            Member m;
            if (spec.contains("=")) {
                try {
                    m = Member.parse(spec);
                } catch (IllegalArgumentException e) {
                    throw new Refusal(e.getMessage());
                }
                if (m.resp() == null) {
                    throw new Refusal("process '" + m.id() + "' needs its RESP address too: ID=KVS,RAFT,RESP");
                }
                Member known = layout.process(m.id());
                if (known != null && !known.equals(m)) {
                    throw new Refusal("process '" + m.id() + "' is " + known.spec() + ", not " + m.spec());
                }
            } else {
                m = layout.process(spec);
                if (m == null) {
                    throw new Refusal("no process '" + spec + "' in the cluster: name a new one as ID=KVS,RAFT,RESP");
                }
            }
            Member chosen = m;
            if (members.stream().anyMatch(x -> x.id().equals(chosen.id()))) {
                throw new Refusal("process '" + m.id() + "' is named twice");
            }
            members.add(m);
        }
        if (members.size() != 3 && members.size() != 5) {
            throw new Refusal("a shard has 3 or 5 members (an odd number, so a majority survives a lost one), not " + members.size());
        }
        int shard = layout.shards().size();
        SlotMapMachine.Applied added = SlotMapMachine.Applied.of(
                groupClients.write(metaGroup, SlotMapMachine.addShard(shard, members)).getMessage().getContent());
        if (!added.done()) {
            throw new Refusal("shard " + shard + " was added meanwhile, or a member's addresses are another's; try again");
        }
        mover.awaitEpoch(added.epoch());
        RaftGroupId group = ShardMachines.shardGroupId(config.clusterId(), shard);
        groupClients.add(RaftBootstrap.shardGroup(config.clusterId(), shard, new Layout.ShardMembers(members, 0)));
        long deadline = System.nanoTime() + ADD_TIMEOUT.toNanos();
        for (;;) { // its members add its group as they learn of it: until then they do not know it
            try {
                groupClients.read(group, EntryCodec.BARRIER);
                return shard;
            } catch (UnavailableException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new UnavailableException("shard " + shard + " was added, and has no leader after "
                            + ADD_TIMEOUT.toSeconds() + " s: are its members running? " + e.getMessage(), e);
                }
                ensureOpen();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /** How long {@link #addShard} waits for the shard's first leader. */
    static final java.time.Duration ADD_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** This process's kvs address. */
    public InetSocketAddress address() {
        return config.selfMember().kvs();
    }

    /** How many shards the cluster has, as this process last learned. */
    public int shardCount() {
        return layout().shards().size();
    }

    /** Shard {@code i}'s member here (tests). */
    ClusterNode shard(int i) {
        return local(i);
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
        synchronized (hosting) {
            for (ClusterNode shard : hosted()) {
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
            Exception unhosted = new KvsException("closing the engines of shards not hosted");
            machines.closeEngines(unhosted); // engines closed twice stay closed
            for (Throwable t : unhosted.getSuppressed()) {
                log.warn("closing an engine: {}", t.toString());
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
