package kvs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

import kvs.KvsException;
import kvs.UnavailableException;
import kvs.internal.GroupCommit;
import kvs.internal.HostPort;
import kvs.store.Bytes;
import kvs.store.GroupView;
import kvs.store.MemberStatus;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Write;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One member of a replicated group (docs/CLUSTER.md): a Ratis server whose state machine is this
 * node's engine, itself a {@link Store} the server serves as it serves a local one (the
 * cluster's one seam into the server). Writes go through {@link #writeAll} (a batch of writes):
 * on the leader, the writes of every caller that came while the last entry committed are
 * submitted in-process as one log entry and return once a majority has
 * committed them and this node has applied them; on a follower they fail with
 * {@link kvs.NotLeaderException} naming the leader's kvs address. Every member answers
 * {@link #get} linearizably (Raft ReadIndex). Without an answer within {@link #REQUEST_TIMEOUT}
 * a request fails with {@link UnavailableException} (for a write: its outcome unknown).
 */
public final class ClusterNode implements Store {

    /**
     * How long the member committing an entry waits, after an entry of several callers' writes,
     * for as many to be queued again (in pauses of {@link #GATHER_PAUSE_NANOS}): entries then hold
     * about 20 writes instead of 12 at 50 clients, and a set costs the three members less CPU
     * (bench/RESULTS.md, issue 16, third part). Parked, not yielding: the CPU is the writers'.
     */
    private static final long GATHER_NANOS = 1_000_000;
    private static final long GATHER_PAUSE_NANOS = 50_000;
    /** How long a request may wait for the group; then it is unavailable (clients give up after 10 s, docs/CLUSTER.md). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The most one log entry holds; a batch of writes above it is split. A single larger write still fits the appender's buffer. */
    private static final int ENTRY_BYTES = 4 << 20;
    /** Ratis's appender buffer, which bounds an entry: the largest frame (one set) and room to spare. */
    private static final SizeInBytes APPENDER_BUFFER = SizeInBytes.valueOf(20L << 20);
    /** The most a read-modify-write may take in an entry (what it read and what it writes): the buffer, less room for the entry's own fields. */
    private static final long TRANSACTION_BYTES = APPENDER_BUFFER.getSize() - (1 << 20);

    private final ClusterConfig config;
    private final Store engine;
    private final KvsStateMachine stateMachine;
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong calls = new AtomicLong();
    /** Concurrent callers' writes, gathered into one log entry while the previous one commits. */
    private final GroupCommit<Pending> commits = new GroupCommit<>(this::commitGroup, GATHER_NANOS, GATHER_PAUSE_NANOS);
    /** Concurrent callers' reads, answered together after one ReadIndex while the previous one is taken. */
    private final GroupCommit<PendingRead> reads = new GroupCommit<>(this::readGroup);

    private ClusterNode(ClusterConfig config, Store engine, KvsStateMachine stateMachine, RaftServer server,
                        RaftGroupId groupId) {
        this.config = config;
        this.engine = engine;
        this.stateMachine = stateMachine;
        this.server = server;
        this.groupId = groupId;
        this.selfId = RaftPeerId.valueOf(config.self());
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
        ExitUtils.disableSystemExit(); // a port that cannot be bound is an exception here, not System.exit
        Member self = config.selfMember();
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, self.raft().getHostString());
        GrpcConfigKeys.Server.setPort(p, self.raft().getPort());
        long timeout = config.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(timeout, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * timeout, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, config.reads() == ClusterConfig.Reads.LEASE);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, APPENDER_BUFFER);
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(APPENDER_BUFFER.getSize() + (1 << 20)));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(APPENDER_BUFFER.getSize() + (4 << 20)));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(config.snapshotEvery(), 1024));
        tuning.accept(p);
        List<RaftPeer> peers = new ArrayList<>();
        for (Member m : config.members()) {
            peers.add(RaftPeer.newBuilder().setId(m.id()).setAddress(m.raft()).build());
        }
        RaftGroupId groupId = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(config.clusterId().getBytes(StandardCharsets.UTF_8)));
        boolean newLog = !Files.isDirectory(config.raftDir().resolve(groupId.getUuid().toString()));
        KvsStateMachine stateMachine;
        try {
            checkMembers(config);
            stateMachine = new KvsStateMachine(engine, newLog);
        } catch (IOException e) {
            closeQuietly(engine, e);
            throw e;
        }
        RaftServer server = null;
        try {
            server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.self()))
                    .setGroup(RaftGroup.valueOf(groupId, peers)).setStateMachine(stateMachine)
                    .setProperties(p).setOption(RaftStorage.StartupOption.RECOVER).build();
            server.start();
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            closeQuietly(engine, e);
            throw new IOException("cannot start the Raft server of '" + config.self() + "' on "
                    + HostPort.show(self.raft()) + ": " + e.getMessage(), e);
        }
        return new ClusterNode(config, engine, stateMachine, server, groupId);
    }

    /**
     * Records the group's members (ids and Raft addresses) in {@code DATA/raft/members} on the
     * first start and refuses a later start given others: Ratis would go on with the stored ones.
     */
    private static void checkMembers(ClusterConfig config) throws IOException {
        Path file = config.raftDir().resolve("members");
        List<String> given = config.members().stream().map(m -> m.id() + "=" + HostPort.show(m.raft())).sorted().toList();
        if (Files.exists(file)) {
            List<String> stored = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!stored.equals(given)) {
                throw new IOException("this member's group is " + stored + " (ids and Raft addresses, in " + file
                        + "), not " + given + " as --peer now says; a group's members cannot change");
            }
            return;
        }
        Files.createDirectories(config.raftDir());
        Path tmp = file.resolveSibling("members.tmp");
        Files.write(tmp, given, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void writeAll(List<? extends Write<?>> writes) {
        List<Pending> pending = new ArrayList<>(writes.size());
        for (Write<?> w : writes) {
            Refusal refusal = switch (w) {
                case Write.Set set -> refusal(set.key());
                case Write.Remove remove -> refusal(remove.key());
                case Write.Txn<?> txn -> null;
            };
            if (refusal != null) {
                w.refuse(refusal);
            } else {
                pending.add(new Pending(w));
            }
        }
        commits.submitAll(pending);
        for (Pending p : pending) {
            p.settle();
        }
    }

    /** Why a group refuses to store {@code key}, or null if it does not. */
    private static Refusal refusal(Bytes key) {
        return reserved(key) ? reservedKey() : null;
    }

    static boolean reserved(Bytes key) {
        return key.startsWith(KvsStateMachine.RESERVED);
    }

    static Refusal reservedKey() {
        return new Refusal("keys that begin with \\u0000kvs. are reserved in a replicated group");
    }

    /** A write queued for the next log entry. */
    private static final class Pending extends GroupCommit.Op {
        final Write<?> write;
        /** For a read-modify-write: the leader's last run of it, what goes in the entry. */
        Conditional.Run run;
        /** What became of it, once its entry is applied (unless its group failed). */
        Outcome<?> outcome;

        Pending(Write<?> write) {
            this.write = write;
        }

        /** What the entry holds for this write. */
        Write<?> logged() {
            return run == null ? write : Write.transaction(run.logged());
        }

        /** Records the outcome on the caller's write. */
        @SuppressWarnings("unchecked")
        void settle() {
            if (failed()) {
                write.fail(failure());
            } else {
                ((Write<Object>) write).settle((Outcome<Object>) outcome);
            }
        }

        void refuse(Refusal r) {
            outcome = new Outcome.Refused<>(r);
            succeed();
        }
    }

    /**
     * Commits one group of concurrent callers' writes: as one log entry, or as several in order
     * when they hold more than {@link #ENTRY_BYTES}. A read-modify-write is run here, over this
     * member's engine and the entry's writes before it, and logged as what it read and wrote
     * ({@link Conditional}); one that meets a conflict (this member had not applied everything its
     * view should hold) is run again in a later entry, up to {@link #ATTEMPTS} times.
     */
    private void commitGroup(List<Pending> group) {
        List<Pending> left = group;
        for (int attempt = 1; !left.isEmpty(); attempt++) {
            if (attempt > ATTEMPTS) {
                UnavailableException e = new UnavailableException("a read-modify-write met a conflict " + ATTEMPTS
                        + " times (the group's leader was changing); it was not applied");
                left.forEach(p -> p.fail(e));
                return;
            }
            left = commitInEntries(left);
        }
    }

    /** How often a read-modify-write is run before it fails. */
    private static final int ATTEMPTS = 10;

    /** Commits {@code group} in entries of at most {@link #ENTRY_BYTES}; returns the read-modify-writes that conflicted. */
    private List<Pending> commitInEntries(List<Pending> group) {
        List<Pending> conflicts = new ArrayList<>();
        List<Pending> entry = new ArrayList<>();
        GroupView view = entryView();
        long bytes = 0;
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            long size = place(p, view);
            if (!entry.isEmpty() && bytes + size > ENTRY_BYTES) {
                if (!commitOrFail(entry, group.subList(i, group.size()), conflicts)) {
                    return List.of();
                }
                entry.clear();
                view = entryView();
                bytes = 0;
                size = place(p, view); // over the state the last entry left
            }
            entry.add(p);
            bytes += size;
        }
        if (!entry.isEmpty()) {
            commitOrFail(entry, List.of(), conflicts);
        }
        return conflicts;
    }

    /** The store as an entry's read-modify-writes see it: this member's engine with the entry's earlier writes over it. */
    private GroupView entryView() {
        return new GroupView(new GroupView.Committed() {
            @Override
            public Bytes get(Bytes key) throws KvsException {
                return engine.get(key);
            }

            @Override
            public boolean contains(Bytes key) throws KvsException {
                return engine.get(key) != null;
            }

            @Override
            public java.util.Iterator<Bytes> keys() throws KvsException {
                return engine.keys();
            }
        });
    }

    /**
     * Readies {@code p} for the entry {@code view} is of (a read-modify-write is run over it) and
     * adds its writes to the view; returns an upper bound on its bytes in the entry.
     */
    private long place(Pending p, GroupView view) {
        switch (p.write) {
            case Write.Set set -> {
                view.written(set.key(), set.value());
                return estimate(set.key(), set.value());
            }
            case Write.Remove remove -> {
                view.written(remove.key(), null);
                return estimate(remove.key(), null);
            }
            case Write.Txn<?> txn -> {
                return placeTransaction(p, txn, view);
            }
        }
    }

    private long placeTransaction(Pending p, Write.Txn<?> txn, GroupView view) {
        try {
            p.run = Conditional.run(txn.transaction(), view);
        } catch (KvsException | RuntimeException e) {
            p.run = null;
            p.fail(e);
            return 0;
        }
        Conditional logged = p.run.logged();
        long bytes = 32;
        for (Map.Entry<Bytes, Bytes> r : logged.reads().entrySet()) {
            bytes += estimate(r.getKey(), r.getValue());
        }
        for (Bytes k : logged.presence().keySet()) {
            bytes += estimate(k, null);
        }
        for (Bytes k : logged.keys() == null ? java.util.Set.<Bytes>of() : logged.keys()) {
            bytes += estimate(k, null);
        }
        for (GroupView.Change c : logged.writes()) {
            bytes += estimate(c.key(), c.value());
        }
        if (bytes > TRANSACTION_BYTES) { // an upper bound: measure it before refusing
            long exact = EntryCodec.entry(List.of(Write.transaction(logged))).length;
            if (exact > TRANSACTION_BYTES) {
                p.run = null;
                p.refuse(new Refusal("this command's reads and writes take " + exact
                        + " bytes, more than one replicated log entry holds (" + TRANSACTION_BYTES + ")"));
                return 0;
            }
        }
        return bytes;
    }

    /**
     * Commits {@code entry}; false, with it and {@code rest} failed alike, when there is no leader
     * here or no answer (what follows cannot go on either).
     */
    private boolean commitOrFail(List<Pending> entry, List<Pending> rest, List<Pending> conflicts) {
        List<Pending> placed = entry.stream().filter(p -> !p.failed() && p.outcome == null).toList(); // not those refused here
        try {
            commit(placed, conflicts);
            return true;
        } catch (IllegalArgumentException e) {
            placed.forEach(p -> p.fail(e));
            return true;
        } catch (KvsException e) {
            placed.forEach(p -> p.fail(e));
            rest.forEach(p -> p.fail(e));
            return false;
        }
    }

    /** An upper bound on a write's bytes in an entry. */
    private static long estimate(Bytes key, Bytes value) {
        return 32 + key.length() + (value == null ? 0 : value.length());
    }

    /** Commits one entry's writes and records each outcome; a read-modify-write that conflicted goes to {@code conflicts}. */
    private void commit(List<Pending> entry, List<Pending> conflicts) throws KvsException {
        if (entry.isEmpty()) {
            return;
        }
        List<Write<?>> writes = entry.stream().<Write<?>>map(Pending::logged).toList();
        RaftClientReply reply = submit(EntryCodec.entry(writes), RaftClientRequest.writeRequestType());
        List<EntryCodec.Applied> outcomes;
        try {
            outcomes = EntryCodec.outcomes(reply.getMessage().getContent().toByteArray());
        } catch (EntryCodec.MalformedEntry e) {
            throw new KvsException("a reply of the replicated log: " + e.getMessage(), e);
        }
        if (outcomes.size() != writes.size()) {
            throw new KvsException("the replicated log answered " + outcomes.size() + " writes of " + writes.size());
        }
        for (int i = 0; i < writes.size(); i++) {
            Pending p = entry.get(i);
            switch (outcomes.get(i)) {
                case EntryCodec.Applied.Conflict c -> conflicts.add(p);
                case EntryCodec.Applied.Refused r -> p.refuse(new Refusal(r.message()));
                case EntryCodec.Applied.Done d -> {
                    p.outcome = switch (p.write) {
                        case Write.Set set -> Outcome.done();
                        case Write.Remove remove -> Outcome.removed(d.present());
                        case Write.Txn<?> txn -> p.run.refusal() != null
                                ? new Outcome.Refused<>(p.run.refusal()) // refused over what the group holds
                                : new Outcome.Done<>(p.run.result());
                    };
                    p.succeed();
                }
            }
        }
    }

    @Override
    public Bytes get(Bytes key) throws KvsException {
        if (reserved(key)) {
            throw reservedKey();
        }
        PendingRead read = new PendingRead(key);
        reads.submit(read);
        return read.value;
    }

    /** A read waiting for the next ReadIndex. */
    private static final class PendingRead extends GroupCommit.Op {
        final Bytes key;
        Bytes value;

        PendingRead(Bytes key) {
            this.key = key;
        }
    }

    /** Answers a batch of reads that all began before this call: one ReadIndex, then this member's engine. */
    private void readGroup(List<PendingRead> group) throws KvsException {
        barrier();
        for (PendingRead r : group) {
            r.value = engine.get(r.key);
            r.succeed();
        }
    }

    /**
     * The keys present, without the group's own: this member's engine once it has applied every
     * write acknowledged before this call (a ReadIndex, as for {@link #get}); listed as the
     * engine lists them, weakly consistent with writes made meanwhile.
     */
    @Override
    public Iterator<Bytes> keys() throws KvsException {
        barrier();
        Iterator<Bytes> all = engine.keys();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(all, Spliterator.NONNULL), false)
                .filter(k -> !reserved(k)).iterator();
    }

    /** How many keys {@link #keys} lists. */
    @Override
    public long size() throws KvsException {
        barrier();
        return userKeys();
    }

    /** The engine's keys without the one where it records its applied index. */
    private long userKeys() throws KvsException {
        return engine.size() - (engine.get(KvsStateMachine.APPLIED_KEY) != null ? 1 : 0);
    }

    /** Makes this member's engine durable as it stands (the Raft log makes every write durable already). */
    @Override
    public void sync() throws KvsException {
        engine.sync();
    }

    /** Returns once this member has applied every write acknowledged before the call (a ReadIndex). */
    private void barrier() throws KvsException {
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
            long leaderEvents = stateMachine.leaderEvents().seen();
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
                stateMachine.leaderEvents().await(leaderEvents, TimeUnit.MILLISECONDS.toNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting for a leader", e);
            }
        }
    }

    private static UnavailableException unavailable(Throwable cause) {
        return new UnavailableException("the group cannot serve this now: " + cause, cause);
    }

    /** This member's view of the group now. */
    private MemberStatus status() {
        DivisionInfo info = division().getInfo();
        RaftPeerId leader = info.getLeaderId();
        return new MemberStatus(config.self(), info.getCurrentRole().name().toLowerCase(Locale.ROOT),
                info.getCurrentTerm(), leader == null ? null : leader.toString(), info.getLastAppliedIndex());
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new UncheckedIOException("this member's Raft group is gone: " + e.getMessage(), e);
        }
    }

    /** The engine's figures, without the key where it records its applied index, and the group as this member sees it. */
    @Override
    public StoreFigures figures() {
        StoreFigures e = engine.figures();
        long keys;
        try {
            keys = userKeys();
        } catch (KvsException ex) {
            keys = e.keys();
        }
        return new StoreFigures(e.engine(), "raft", keys, e.liveBytes(), e.totalBytes(),
                e.compactions(), e.lastCompactionMillis(), e.fsyncs(), e.writes(), status());
    }

    /** Whether this member is the leader and has committed an entry of its term (writes are served at once). */
    public boolean isReadyLeader() {
        DivisionInfo info = division().getInfo();
        return info.isLeader() && info.isLeaderReady();
    }

    /** This member's kvs address. */
    public InetSocketAddress address() {
        return config.selfMember().kvs();
    }

    /** Stops this member's Raft server, then closes its engine. */
    @Override
    public void close() throws KvsException {
        try {
            server.close();
        } catch (IOException e) {
            closeQuietly(engine, e);
            throw new KvsException("cannot stop the Raft server of '" + config.self() + "': " + e.getMessage(), e);
        }
        engine.close();
    }

    private static void closeQuietly(Store engine, Exception failure) {
        try {
            engine.close();
        } catch (KvsException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
