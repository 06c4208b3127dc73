package kvs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import kvs.KvsException;
import kvs.UnavailableException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.MemberStatus;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * One member of a replicated group (docs/CLUSTER.md), as the {@link Store} the server serves as
 * it serves a local one (the cluster's one seam into the server): a Ratis server
 * ({@link RaftBootstrap}) whose state machine ({@link KvsStateMachine}) is this node's engine.
 * On the leader, {@link #writeAll} packs the writes of concurrent callers into log entries
 * ({@link EntryWriter}) and returns once a majority has committed them and this node has applied
 * them; on a follower they fail with {@link kvs.NotLeaderException} naming the leader's kvs
 * address. Every member answers {@link #get} linearizably ({@link LinearizableReads}, Raft
 * ReadIndex). Without an answer within {@link Submitter#REQUEST_TIMEOUT} a request fails with
 * {@link UnavailableException} (for a write: its outcome unknown).
 * <p>
 * Keys expire alike on every member: a deadline is absolute, logged with the write, and a
 * member's reads hide a key once its deadline has passed by the member's clock, but no member
 * removes a key on its own. Only the leader offers keys to an expiry cycle ({@link #scanDeadlines}),
 * whose removals ({@link Write.RemoveExpired}) go through the log like any write.
 */
public final class ClusterNode implements Store {

    private final AtomicBoolean closed = new AtomicBoolean();
    private final ClusterConfig config;
    private final Store engine;
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final Submitter submitter;
    private final EntryWriter writer;
    private final LinearizableReads reads;
    /** Where reads of a slot this shard no longer serves go, or null for a single group. */
    private final Rerouter rerouter;
    /** A shard's slot states (its ownership fence), or null for a single group. */
    private final SlotStates slots;

    /** Whether closing this node stops the Raft server (a sharded process's shards share one, which it stops). */
    private final boolean ownsServer;

    /**
     * A member of group {@code groupId} of {@code server}, whose state machine is
     * {@code stateMachine}, over {@code engine}.
     */
    ClusterNode(ClusterConfig config, Store engine, RaftServer server, RaftGroupId groupId, KvsStateMachine stateMachine,
                boolean ownsServer) {
        this(config, engine, server, groupId, stateMachine, ownsServer, null);
    }

    /**
     * Where a shard's read goes when the shard no longer serves the slot it read (the slot moved
     * meanwhile): the store that serves it now, or a {@link kvs.MovedException} to the process that does.
     */
    @FunctionalInterface
    interface Rerouter {
        Store reroute(ClusterNode from, int slot) throws KvsException;
    }

    /** A shard's member, whose reads of a slot that moved away go where {@code rerouter} says. */
    ClusterNode(ClusterConfig config, Store engine, RaftServer server, RaftGroupId groupId, KvsStateMachine stateMachine,
                boolean ownsServer, Rerouter rerouter) {
        this.rerouter = rerouter;
        this.config = config;
        this.engine = engine;
        this.server = server;
        this.groupId = groupId;
        this.ownsServer = ownsServer;
        this.submitter = new Submitter(config, server, groupId, stateMachine.leaderEvents());
        this.writer = new EntryWriter(engine, submitter, this::isReadyLeader);
        this.slots = stateMachine.slots();
        this.reads = new LinearizableReads(engine, submitter, slots);
    }

    /**
     * Starts this node's Raft server over {@code engine}, which the node owns from then on (it is
     * closed with the node, or at once if the node cannot start), and returns once it serves its
     * group; the first leader is elected in the background.
     */
    public static ClusterNode start(ClusterConfig config, Store engine) throws IOException {
        return start(config, engine, p -> { });
    }

    /** {@link #start(ClusterConfig, Store)}, with Ratis's properties adjusted last by {@code tuning} (tests: small log segments). */
    static ClusterNode start(ClusterConfig config, Store engine, Consumer<RaftProperties> tuning) throws IOException {
        RaftBootstrap.Started started = RaftBootstrap.start(config, engine, tuning);
        return new ClusterNode(config, engine, started.server(), started.groupId(), started.stateMachine(), true);
    }

    /** Commits {@code writes} through the group's log and settles each; a {@link Write.Meta} is refused (the group's metadata is its own). */
    @Override
    public void writeAll(List<? extends Write<?>> writes) {
        ensureOpen();
        writer.writeAll(writes);
        if (rerouter != null) {
            writeMovedAgain(writes);
        }
    }

    /** Times a shard's write the log refused as its slot moved is sent again where the slot went. */
    private static final int MOVED_WRITE_ATTEMPTS = 3;

    /**
     * Sends each write the shard's log refused because its slot began to move (it passed the
     * leader's check just before the slot froze) where the slot is served now ({@link Rerouter}),
     * settling it with the outcome there; nothing of a refused write was applied, and its id was
     * not recorded, so it applies once wherever it goes.
     */
    private void writeMovedAgain(List<? extends Write<?>> writes) {
        for (Write<?> w : writes) {
            int slot;
            for (int attempt = 0; (slot = refusedAsMoving(w)) >= 0 && attempt < MOVED_WRITE_ATTEMPTS; attempt++) {
                try {
                    rerouter.reroute(this, slot).writeAll(List.of(w));
                } catch (KvsException e) {
                    w.fail(e);
                }
            }
        }
    }

    /** The slot of a write the shard's log refused because the slot was moving, or -1. */
    private static int refusedAsMoving(Write<?> w) {
        return w.outcome() instanceof kvs.store.Outcome.Refused<?> r && r.refusal() instanceof SlotMoving m ? m.slot() : -1;
    }

    /**
     * The value of {@code key}, read linearizably: what every write acknowledged before this call
     * began left; null if its deadline has passed by this member's clock.
     */
    @Override
    public Bytes get(Bytes key) throws KvsException {
        Entry e = entry(key);
        return e == null ? null : e.value();
    }

    /** The entry of {@code key}, read linearizably as {@link #get} is. */
    @Override
    public Entry entry(Bytes key) throws KvsException {
        ensureOpen();
        try {
            return reads.entry(key);
        } catch (SlotNotServed e) {
            return rerouter.reroute(this, e.slot()).entry(key);
        }
    }

    /** The entries of {@code keys}, read linearizably as {@link #get} is, after one ReadIndex. */
    @Override
    public List<Entry> entries(List<Bytes> keys) throws KvsException {
        ensureOpen();
        try {
            return reads.entries(keys);
        } catch (SlotNotServed e) {
            return rerouter.reroute(this, e.slot()).entries(keys);
        }
    }

    /** The values of {@code keys}, read linearizably as {@link #get} is, and together, as the engine reads them. */
    @Override
    public List<Bytes> getAll(List<Bytes> keys) throws KvsException {
        ensureOpen();
        try {
            return reads.values(keys);
        } catch (SlotNotServed e) {
            return rerouter.reroute(this, e.slot()).getAll(keys);
        }
    }

    /**
     * The engine's: every member's engine moves the versions of watched keys as it applies the
     * group's entries, and the leader, which decides a transaction under a watch, has applied
     * every entry committed before the one it would log the transaction in ({@link EntryWriter}).
     */
    @Override
    public Watches watches() {
        return engine.watches();
    }

    /** This member's engine's clock: what its reads hide expired keys by, and, on the leader, what writes are logged as of. */
    @Override
    public InstantSource clock() {
        return engine.clock();
    }

    /**
     * The engine's keys with deadlines, while this member is the leader and serves writes; none on
     * another member, which must not remove keys on its own (the leader's removals reach it
     * through the log).
     */
    @Override
    public List<KeyDeadline> scanDeadlines(int count) throws KvsException {
        ensureOpen();
        return isReadyLeader() ? engine.scanDeadlines(count) : List.of();
    }

    /**
     * The keys present: this member's engine once it has applied every write acknowledged before
     * this call (a ReadIndex, as for {@link #get}); listed as the engine lists them, weakly
     * consistent with writes made meanwhile. The group's own records are the engine's metadata,
     * never among them.
     */
    @Override
    public Iterator<Bytes> keys() throws KvsException {
        ensureOpen();
        submitter.barrier();
        return engine.keys();
    }

    /** How many keys {@link #keys} lists. */
    @Override
    public long size() throws KvsException {
        ensureOpen();
        submitter.barrier();
        return engine.size();
    }

    /** None: a group keeps no metadata of its users' ({@link #writeAll} refuses it); its own is its engine's. */
    @Override
    public Bytes meta(String name) {
        ensureOpen();
        return null;
    }

    /** Makes this member's engine durable as it stands (the Raft log makes every write durable already). */
    @Override
    public void sync() throws KvsException {
        ensureOpen();
        engine.sync();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ClusterNode is closed");
        }
    }

    /** This member's view of the group now. */
    private MemberStatus status() {
        DivisionInfo info = division().getInfo();
        RaftPeerId leader = info.getLeaderId();
        return new MemberStatus(config.self(), info.getCurrentRole().name().toLowerCase(Locale.ROOT),
                info.getCurrentTerm(), leader == null ? null : leader.toString(), info.getLastAppliedIndex());
    }

    /** This member's Raft server's part in its group (tests move the leadership through it). */
    RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new UncheckedIOException("this member's Raft group is gone: " + e.getMessage(), e);
        }
    }

    /** The engine's figures, and the group as this member sees it. */
    @Override
    public StoreFigures figures() {
        ensureOpen();
        StoreFigures e = engine.figures();
        return new StoreFigures(e.engine(), "raft", e.keys(), e.keysWithDeadline(), e.expiredKeys(), e.liveBytes(), e.totalBytes(),
                e.compactions(), e.lastCompactionMillis(), e.fsyncs(), e.writes(), status());
    }

    /** Whether this member is the leader and has committed an entry of its term (writes are served at once). */
    public boolean isReadyLeader() {
        DivisionInfo info = division().getInfo();
        return info.isLeader() && info.isLeaderReady();
    }

    /** The group's leader as this member knows it, or null while it knows none. */
    Member leader() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return leader == null ? null : config.member(leader.toString());
    }

    /** The shard's slot states as this member has applied its log, or null for a single group. */
    SlotStates slots() {
        return slots;
    }

    /** The index of the last entry this member has applied. */
    long appliedIndex() {
        return division().getInfo().getLastAppliedIndex();
    }

    /** This member's kvs address. */
    public InetSocketAddress address() {
        return config.selfMember().kvs();
    }

    /** Stops this member's Raft server, then closes its engine; every call after it throws IllegalStateException. */
    @Override
    public void close() throws KvsException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (ownsServer) {
                server.close();
            }
        } catch (IOException e) {
            closeQuietly(engine, e);
            throw new KvsException("cannot stop the Raft server of '" + config.self() + "': " + e.getMessage(), e);
        }
        engine.close();
    }

    static void closeQuietly(Store engine, Exception failure) {
        try {
            engine.close();
        } catch (KvsException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
