package kvs.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Write;
import kvs.store.WriteId;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated state: a node's engine, to which every member applies the committed entries
 * in log order ({@link EntryCodec}: runs of sets, removes, removals of expired keys and
 * read-modify-writes as the leader ran them, each applied only over what the leader read, as of
 * the time it read it, {@link Conditional}). A remove of an absent key is a normal reply
 * ({@code key_not_found}), never an exception (an exception stops the Raft server). No member
 * removes a key on its own, expired or not: its engine's compaction keeps expired keys
 * (kvs-server opens it so), and only the leader's removals of expired keys, logged, remove them,
 * alike everywhere since each names the deadline it removes. A read is a barrier ({@code ping}, through {@link #query}), answered once
 * Ratis's ReadIndex says this member has applied everything committed when it was asked; the
 * member then reads its engine itself (ClusterNode).
 * <p>
 * The Raft log is the write-ahead log: the engine need not sync each write. With each entry's
 * writes, in the same group write and last, the engine records the entry's index in its metadata
 * ({@link #APPLIED}, apart from the keys), so after a restart it says exactly which entries it holds and
 * Ratis's replay skips those: every entry reaches the engine once. A snapshot syncs the engine,
 * then dumps its pairs to a {@link SnapshotFile}, and Ratis purges the log before it; a member too
 * far behind is sent the leader's, and loads it. Start-up refuses, loudly, an engine behind the
 * member's latest snapshot (the log it would need is purged) and one holding keys no entry of
 * this member's log wrote (docs/CLUSTER.md): either would diverge from the group.
 */
final class KvsStateMachine extends BaseStateMachine {

    /** The engine's metadata record of the last entry it applied: {@code GROUP TERM INDEX}. */
    static final String APPLIED = "raft.applied";
    /** Present while a snapshot from the leader may be published but not yet loaded ({@link #pause}); a restore removes it. */
    static final String INSTALLING = "raft.installing";
    /** The engine's metadata record of a shard's slot states ({@link SlotStates}), written with each entry that changes them. */
    static final String SLOTS = "raft.slots";
    /**
     * Where a release before the engines had metadata kept {@link #APPLIED} and {@link #INSTALLING}:
     * under keys of this prefix, which its groups refused to clients. Moved once, at start-up.
     */
    private static final Bytes LEGACY_PREFIX = Bytes.utf8("\u0000kvs.");
    private static final Logger log = LoggerFactory.getLogger(KvsStateMachine.class);

    private final Store engine;
    /** Whether this member's Raft directory is new: an engine with entries in it belongs to another log. */
    private final boolean newLog;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /**
     * The latest snapshot, or null. Ratis asks for it before every append to a follower, and the
     * storage lists its directory each time it has none (3-4% of a leader's CPU under sets).
     */
    private volatile SingleFileSnapshotInfo latestSnapshot;
    /** The index of the last entry the engine held at start-up (or restored): replayed entries up to it are skipped. */
    private volatile long engineApplied = -1;
    private final LeaderEvents leaderEvents = new LeaderEvents();
    private final Sessions sessions = new Sessions();
    /** A shard's slot states (its ownership fence), or null for a single group, which serves every slot. */
    private final SlotStates slots;

    /**
     * @param engine this member's store (a KvStore or MvStoreEngine)
     * @param newLog whether this member's Raft directory was just created
     */
    KvsStateMachine(Store engine, boolean newLog) {
        this(engine, newLog, null);
    }

    /**
     * A shard's state machine.
     *
     * @param slots the shard's slot states before its log's first entry; the engine's record of them, if any, replaces them
     */
    KvsStateMachine(Store engine, boolean newLog, SlotStates slots) {
        this.engine = engine;
        this.newLog = newLog;
        this.slots = slots;
    }

    /** Every client's last write, as this member has applied the log (a copy). */
    Map<java.util.UUID, Sessions.Last> sessions() {
        return sessions.all();
    }

    /** The shard's slot states, or null for a single group. */
    SlotStates slots() {
        return slots;
    }

    /** Signalled when this member learns of a new leader, or becomes a leader that serves writes. */
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

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storage.init(raftStorage);
            SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
            moveLegacyMarkers();
            TermIndex held = engineApplied(groupId);
            if (installing()) {
                if (snapshot != null && (held == null || held.getIndex() < snapshot.getIndex())) {
                    log.info("loading the snapshot the leader sent before this member stopped: {}", snapshot.getFile().getPath());
                    restore(snapshot);
                    held = snapshot.getTermIndex();
                } else {
                    try {
                        writeOrThrow(List.of(Write.meta(INSTALLING, null)));
                    } catch (KvsException e) {
                        throw new IOException("cannot write the engine: " + e.getMessage(), e);
                    }
                }
            }
            long keys = size();
            if (held == null && keys > 0 || held != null && newLog) {
                throw new IOException("the engine holds " + keys + " keys that this member's Raft log "
                        + (newLog ? "(new, empty) " : "") + "did not write; a member's engine and Raft "
                        + "directories start together: to rejoin the group, remove both, as for a lost disk (docs/CLUSTER.md)");
            }
            if (snapshot != null && (held == null || held.getIndex() < snapshot.getIndex())) {
                throw new IOException("the engine holds entries up to " + (held == null ? "none" : held.getIndex())
                        + ", behind this member's Raft snapshot at " + snapshot.getIndex() + " (" + snapshot.getFile().getPath()
                        + "): its engine directory was lost or replaced by an older copy, and the Raft log before the "
                        + "snapshot is purged; to rejoin the group, remove both directories, as for a lost disk (docs/CLUSTER.md)");
            }
            engineApplied = held == null ? -1 : held.getIndex();
            loadSlots();
            latestSnapshot = snapshot;
            if (snapshot != null) {
                SnapshotFile.sessions(snapshot.getFile().getPath()).forEach(sessions::restore);
                setLastAppliedTermIndex(snapshot.getTermIndex());
            }
        });
    }

    /**
     * Moves the records a release before the engines had metadata kept under reserved keys into
     * the engine's metadata, in one group write, synced; logged. Only an engine with neither
     * record in its metadata can be of that release (every entry applied, and every snapshot
     * restored, records {@link #APPLIED}); its keys of that prefix are the group's, as those
     * groups refused them to clients. Afterwards the keys are the clients' own.
     */
    private void moveLegacyMarkers() throws IOException {
        try {
            if (engine.meta(APPLIED) != null || engine.meta(INSTALLING) != null) {
                return;
            }
            List<Write<?>> moves = new ArrayList<>();
            for (String name : List.of(APPLIED, INSTALLING)) {
                Bytes key = LEGACY_PREFIX.concat(Bytes.utf8(name));
                Bytes value = engine.get(key);
                if (value != null) {
                    moves.add(0, Write.meta(name, value)); // the metadata first: a crash between leaves both, and this runs again
                    moves.add(Write.remove(key));
                }
            }
            if (!moves.isEmpty()) {
                log.info("moving this member's Raft records from keys of the engine to its metadata (once, after an upgrade)");
                writeOrThrow(moves);
                engine.sync();
            }
        } catch (KvsException e) {
            throw new IOException("cannot move the engine's Raft records to its metadata: " + e.getMessage(), e);
        }
    }

    /** Takes the slot states the engine recorded, if it recorded any (a shard whose slots never moved has none). */
    private void loadSlots() throws IOException {
        if (slots == null) {
            return;
        }
        try {
            Bytes stored = engine.meta(SLOTS);
            if (stored != null) {
                slots.load(stored);
            }
        } catch (KvsException | IllegalArgumentException e) {
            throw new IOException("cannot read the shard's slot states: " + e.getMessage(), e);
        }
    }

    private long size() throws IOException {
        try {
            return engine.size();
        } catch (KvsException e) {
            throw new IOException("cannot count the engine's keys: " + e.getMessage(), e);
        }
    }

    /** The last entry the engine says it applied, or null if it never applied one. */
    private TermIndex engineApplied(RaftGroupId groupId) throws IOException {
        Bytes marker;
        try {
            marker = engine.meta(APPLIED);
        } catch (KvsException e) {
            throw new IOException("cannot read the engine's applied index: " + e.getMessage(), e);
        }
        if (marker == null) {
            return null;
        }
        String[] parts = marker.latin1().split(" ");
        if (parts.length != 3 || !parts[0].equals(groupId.getUuid().toString())) {
            throw new IOException("the engine was written by another group (" + marker + "), not " + groupId.getUuid());
        }
        return TermIndex.valueOf(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    private Write.Meta appliedMarker(TermIndex applied) {
        return Write.meta(APPLIED, Bytes.utf8(getGroupId().getUuid() + " " + applied.getTerm() + " " + applied.getIndex()));
    }

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Records the engine as of the last applied entry (Ratis calls this on the thread that applies,
     * so the engine does not change meanwhile): the engine is synced with the entry's index
     * recorded, then its pairs are written to a snapshot file, and Ratis may purge the log up to it.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        try {
            // Entries without writes (a new leader's, a configuration) move the applied index too: record it.
            writeOrThrow(List.of(appliedMarker(last)));
            engine.sync();
            Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
            MD5Hash md5 = SnapshotFile.write(file, sessions.all(), slots == null ? Map.of() : Map.of(SLOTS, slots.encode()), engine);
            SingleFileSnapshotInfo taken = new SingleFileSnapshotInfo(new FileInfo(file, md5), last);
            storage.updateLatestSnapshot(taken);
            latestSnapshot = taken;
            log.info("snapshot at index {}: {} keys in {}", last.getIndex(), engine.size(), file);
            return last.getIndex();
        } catch (KvsException e) {
            throw new IOException("cannot snapshot the engine: " + e.getMessage(), e);
        }
    }

    /**
     * Ratis is about to install a snapshot sent by the leader: stop serving until {@link #reinitialize}.
     * Ratis publishes the snapshot next and has another thread load it later, so a member can stop
     * in between, its engine behind a snapshot it never loaded. The engine records, synced, that
     * this may be so ({@link #INSTALLING}): the member then loads the snapshot when it starts,
     * rather than refuse to start as it must for an engine left behind by other means.
     */
    @Override
    public void pause() {
        try {
            writeOrThrow(List.of(Write.meta(INSTALLING, Bytes.utf8("a snapshot from the leader"))));
            engine.sync();
        } catch (KvsException e) {
            throw new IllegalStateException("cannot record a snapshot's installation in the engine: " + e.getMessage(), e);
        }
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** Whether the engine was told of a snapshot being installed that it has not loaded since ({@link #pause}). */
    private boolean installing() throws IOException {
        try {
            return engine.meta(INSTALLING) != null;
        } catch (KvsException e) {
            throw new IOException("cannot read the engine: " + e.getMessage(), e);
        }
    }

    /** Loads the snapshot the leader sent into the engine. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(() -> {
            SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
            if (snapshot == null) {
                throw new IOException("Ratis installed a snapshot, but none is found in the state machine's directory");
            }
            restore(snapshot);
            latestSnapshot = snapshot;
            setLastAppliedTermIndex(snapshot.getTermIndex());
        });
    }

    /**
     * Makes the engine hold exactly {@code snapshot}'s pairs, recorded as applied up to its index,
     * synced. The mark of an installation ({@link #INSTALLING}) goes last: a member stopped
     * midway restores again when it starts.
     */
    private void restore(SingleFileSnapshotInfo snapshot) throws IOException {
        try {
            List<Bytes> old = new ArrayList<>(StoredEntries.keys(engine)); // those whose deadline has passed too
            for (int i = 0; i < old.size(); i += SnapshotFile.RUN) {
                writeOrThrow(old.subList(i, Math.min(old.size(), i + SnapshotFile.RUN)).stream().map(Write::remove).toList());
            }
            sessions.clear();
            SnapshotFile.sessions(snapshot.getFile().getPath()).forEach(sessions::restore);
            SnapshotFile.read(snapshot.getFile().getPath(), this::writeOrThrow);
            Bytes states = SnapshotFile.records(snapshot.getFile().getPath()).get(SLOTS);
            if (slots != null && states != null) {
                slots.load(states);
                writeOrThrow(List.of(Write.meta(SLOTS, states)));
            }
            writeOrThrow(List.of(appliedMarker(snapshot.getTermIndex()), Write.meta(INSTALLING, null)));
            engine.sync();
            engineApplied = snapshot.getIndex();
        } catch (KvsException e) {
            throw new IOException("cannot restore the engine from " + snapshot.getFile().getPath() + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code writes} to the engine; throws the first that did not succeed. */
    private void writeOrThrow(List<? extends Write<?>> writes) throws KvsException {
        engine.writeAll(writes);
        for (Write<?> w : writes) {
            w.outcome().get();
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] reply;
        try {
            byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
            reply = SlotEntries.is(data) && slots != null
                    ? applySlots(SlotEntries.decode(data), TermIndex.valueOf(entry))
                    : apply(EntryCodec.writes(data), TermIndex.valueOf(entry));
        } catch (EntryCodec.MalformedEntry e) {
            // Only this code writes entries; one that does not decode is refused alike on every member.
            log.error("log entry {} does not decode; refused: {}", entry.getIndex(), e.getMessage());
            reply = EntryCodec.malformed(e.getMessage());
        } catch (KvsException e) {
            return CompletableFuture.failedFuture(e); // the engine failed: this member cannot go on
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    /**
     * Applies an entry's writes as one group (for KvStore, one log write), the entry's index
     * recorded last, and returns the reply: a missing key or a refused write is that write's
     * error; any other failure is the engine's. A write whose id was applied before (a retry) is
     * not applied again but answered as it was. An entry the engine holds already (replayed
     * after a restart) only brings the clients' last writes up to date.
     */
    private byte[] apply(List<Write<?>> writes, TermIndex index) throws KvsException {
        EntryCodec.Applied[] outcomes = new EntryCodec.Applied[writes.size()];
        List<Write<?>> fresh = new ArrayList<>(writes.size() + 1);
        Map<WriteId, Integer> inEntry = new HashMap<>();
        int[] sameAs = new int[writes.size()];
        for (int i = 0; i < writes.size(); i++) {
            Write<?> w = writes.get(i);
            WriteId id = id(w);
            sameAs[i] = -1;
            if (id != null) {
                Sessions.Last last = sessions.applied(id);
                Integer first = inEntry.putIfAbsent(id, i);
                if (last != null) {
                    outcomes[i] = last.notFound() && last.seq() == id.seq() ? EntryCodec.Applied.NOT_FOUND : EntryCodec.Applied.OK;
                    continue;
                }
                if (first != null) {
                    sameAs[i] = first;
                    continue;
                }
            }
            fresh.add(w);
        }
        boolean held = index.getIndex() <= engineApplied;
        if (slots != null && !held) {
            fence(fresh);
        }
        if (!held) {
            Write.Meta marker = appliedMarker(index);
            fresh.add(marker);
            engine.writeAll(fresh);
            marker.outcome().get();
        }
        for (int i = 0; i < writes.size(); i++) {
            Write<?> w = writes.get(i);
            if (outcomes[i] != null || sameAs[i] >= 0) {
                continue;
            }
            if (held) {
                outcomes[i] = EntryCodec.Applied.OK;
            } else if (w.outcome() instanceof Outcome.Failed<?> f) {
                throw f.cause();
            } else {
                outcomes[i] = EntryCodec.Applied.of(w, w.outcome());
            }
            WriteId id = id(w);
            boolean refused = outcomes[i] instanceof EntryCodec.Applied.Refused || outcomes[i] instanceof EntryCodec.Applied.Moving;
            if (id != null && !refused) { // a refused write's retry is decided again
                sessions.record(id, index.getIndex(), outcomes[i] == EntryCodec.Applied.NOT_FOUND);
            }
        }
        for (int i = 0; i < writes.size(); i++) {
            if (sameAs[i] >= 0) {
                outcomes[i] = outcomes[sameAs[i]];
            }
        }
        return EntryCodec.reply(List.of(outcomes));
    }

    /**
     * Refuses, and takes out of {@code fresh}, each write of a slot this shard does not take writes
     * of now (not its own, or frozen for a move): decided by the log, alike on every member.
     */
    private void fence(List<Write<?>> fresh) {
        fresh.removeIf(w -> {
            for (Bytes key : keysOf(w)) {
                int slot = kvs.slots.HashSlot.of(key);
                if (!slots.writable(slot)) {
                    w.refuse(new SlotMoving(slot));
                    return true;
                }
            }
            return false;
        });
    }

    /** The keys a write reads or writes. */
    private static java.util.Collection<Bytes> keysOf(Write<?> w) {
        return switch (w) {
            case Write.Set s -> List.of(s.key());
            case Write.Remove r -> List.of(r.key());
            case Write.RemoveExpired r -> List.of(r.key());
            case Write.Meta m -> List.of();
            case Write.Txn<?> t -> t.transaction() instanceof Conditional c ? c.touched() : List.of();
        };
    }

    /**
     * Applies an entry that moves slots in or out of this shard: the states change, the keys it
     * writes or removes with them, in one group write with the states and the entry's index.
     */
    private byte[] applySlots(SlotEntries.Decoded e, TermIndex index) throws KvsException {
        if (index.getIndex() <= engineApplied) { // the engine's record of the states is as of a later entry
            if (e.op() == SlotEntries.Op.SESSIONS) {
                mergeSessions(e, index); // the clients' last writes are not the engine's: replayed as every entry's are
            }
            return EntryCodec.reply(List.of(EntryCodec.Applied.OK));
        }
        if (!slots.step(e.move())) {
            return EntryCodec.reply(List.of(new EntryCodec.Applied.Refused("move " + e.move() + " is over: a later move has taken steps")));
        }
        List<Write<?>> writes = new ArrayList<>();
        java.util.BitSet of = new java.util.BitSet(kvs.slots.HashSlot.SLOTS);
        for (int slot : e.slots()) {
            of.set(slot);
        }
        switch (e.op()) {
            case FREEZE -> slots.change(e.slots(), SlotStates.OWNED, SlotStates.FROZEN);
            case THAW -> slots.change(e.slots(), SlotStates.FROZEN, SlotStates.OWNED);
            case RELEASE -> {
                slots.change(e.slots(), SlotStates.OWNED, SlotStates.ABSENT);
                slots.change(e.slots(), SlotStates.FROZEN, SlotStates.ABSENT);
            }
            case RECEIVE -> {
                for (int slot : e.slots()) {
                    of.set(slot, slots.state(slot) == SlotStates.ABSENT);
                }
                removeKeysOf(of, writes);
                slots.change(e.slots(), SlotStates.ABSENT, SlotStates.IMPORTING);
            }
            case IMPORT -> {
                for (Write.Set p : e.pairs()) {
                    if (slots.state(kvs.slots.HashSlot.of(p.key())) == SlotStates.IMPORTING) {
                        writes.add(p);
                    }
                }
            }
            case OWN -> slots.change(e.slots(), SlotStates.IMPORTING, SlotStates.OWNED);
            case DROP -> {
                for (int slot : e.slots()) {
                    of.set(slot, slots.state(slot) == SlotStates.ABSENT);
                }
                removeKeysOf(of, writes);
            }
            case SESSIONS -> mergeSessions(e, index);
        }
        writes.add(Write.meta(SLOTS, slots.encode()));
        writes.add(appliedMarker(index));
        writeOrThrow(writes);
        return EntryCodec.reply(List.of(EntryCodec.Applied.OK));
    }

    /** Takes each client's last write of a {@link SlotEntries.Op#SESSIONS} entry where it is newer than this shard's. */
    private void mergeSessions(SlotEntries.Decoded e, TermIndex index) {
        e.sessions().forEach((client, last) -> {
            WriteId id = new WriteId(client, last.seq());
            if (sessions.applied(id) == null) {
                sessions.record(id, index.getIndex(), last.notFound());
            }
        });
    }

    /** Adds a removal of each key of the engine whose slot is in {@code of} to {@code writes}. */
    private void removeKeysOf(java.util.BitSet of, List<Write<?>> writes) throws KvsException {
        if (of.isEmpty()) {
            return;
        }
        for (Bytes key : StoredEntries.keys(engine)) {
            if (of.get(kvs.slots.HashSlot.of(key))) {
                writes.add(Write.remove(key));
            }
        }
    }

    /** The client's identity for a set or remove, or null. */
    private static WriteId id(Write<?> w) {
        return switch (w) {
            case Write.Set s -> s.id();
            case Write.Remove r -> r.id();
            case Write.Txn<?> t -> null;
            case Write.Meta m -> null;
            case Write.RemoveExpired r -> null;
        };
    }

    /**
     * A ReadIndex query: a barrier, answered once everything committed when it was asked is
     * applied here, or what a move's driver reads from this shard ({@link ShardQueries}).
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        java.nio.ByteBuffer content = request.getContent().asReadOnlyByteBuffer();
        if (ShardQueries.is(content)) {
            try {
                return CompletableFuture.completedFuture(Message.valueOf(
                        UnsafeByteOperations.unsafeWrap(ShardQueries.answer(content, engine, sessions.all()))));
            } catch (KvsException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (!request.getContent().equals(BARRIER)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a barrier: " + request));
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    private static final ByteString BARRIER = ByteString.copyFrom(EntryCodec.BARRIER);
}
