package kvs.cluster;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import kvs.KvsException;
import kvs.UnavailableException;
import kvs.concurrent.GroupCommit;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.WatchBroken;
import kvs.store.Write;
import org.apache.ratis.protocol.RaftClientReply;

/**
 * Packs the writes of concurrent callers into Raft log entries: the writes of every caller that
 * came while the last entry committed go in the next one (group commit), sets with their
 * deadlines, a read-modify-write run by the leader over this member's engine and the entry's
 * writes before it, as of the engine's clock, and logged as what it read and wrote and that time
 * ({@link Conditional}); each write is settled from the entry's reply (a removal of an expired
 * key: whether it removed the key).
 * <p>
 * A transaction under a {@link kvs.store.Watch} is decided here, over this member's engine: so
 * before a group that holds one, the engine must have applied every entry committed before it.
 * The writer waits for each of its entries to be applied, and a leader serves writes once it has
 * applied its term's first entry, so a ready leader's engine is current unless an entry of its own
 * is in doubt (its submission failed); otherwise, or on a member not a ready leader, the group
 * waits for a ReadIndex first. A watch that no longer holds refuses its transaction at once,
 * with nothing logged: the write that broke it is applied already.
 */
final class EntryWriter {

    /**
     * How long the member committing an entry waits, after an entry of several callers' writes,
     * for as many to be queued again (in pauses of {@link #GATHER_PAUSE_NANOS}): entries then hold
     * about 20 writes instead of 12 at 50 clients, and a set costs the three members less CPU
     * (bench/history/issue-16.md, third part). Parked, not yielding: the CPU is the writers'.
     */
    private static final long GATHER_NANOS = 1_000_000;
    private static final long GATHER_PAUSE_NANOS = 50_000;
    /** The most one log entry holds; a batch of writes above it is split. A single larger write still fits the appender's buffer. */
    private static final int ENTRY_BYTES = 4 << 20;
    /** The most a read-modify-write may take in an entry (what it read and what it writes): the buffer, less room for the entry's own fields. */
    private static final long TRANSACTION_BYTES = RaftBootstrap.APPENDER_BUFFER.getSize() - (1 << 20);

    private final Store engine;
    private final Submitter submitter;
    /** Whether this member is a leader that has applied its term's first entry. */
    private final BooleanSupplier readyLeader;
    /** Whether an entry this writer submitted may yet be applied (its submission failed); the commit leader's. */
    private boolean inDoubt;
    /** Concurrent callers' writes, gathered into one log entry while the previous one commits. */
    private final GroupCommit<Pending> commits = new GroupCommit<>(this::commitGroup, GATHER_NANOS, GATHER_PAUSE_NANOS);

    EntryWriter(Store engine, Submitter submitter, BooleanSupplier readyLeader) {
        this.engine = engine;
        this.submitter = submitter;
        this.readyLeader = readyLeader;
    }

    /** Commits {@code writes} through the group's log and settles each. */
    void writeAll(List<? extends Write<?>> writes) {
        List<Pending> pending = new ArrayList<>(writes.size());
        for (Write<?> w : writes) {
            switch (w) {
                case Write.Meta m -> m.refuse(new Refusal("a replicated group keeps no metadata of its users' (" + m.name() + ")"));
                case Write.Set s -> pending.add(new Pending(w));
                case Write.Remove r -> pending.add(new Pending(w));
                case Write.RemoveExpired r -> pending.add(new Pending(w));
                case Write.Txn<?> t -> pending.add(new Pending(w));
            }
        }
        commits.submitAll(pending);
        for (Pending p : pending) {
            p.settle();
        }
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
            return run == null ? write : run.logged().write();
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
        if (watched(group) && (inDoubt || !readyLeader.getAsBoolean())) {
            try {
                submitter.barrier(); // the engine applies every entry committed before a watch is decided over it
                inDoubt = false;
            } catch (KvsException e) {
                group.forEach(p -> p.fail(e));
                return List.of();
            }
        }
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

    /** Whether {@code group} holds a transaction under a watch. */
    private static boolean watched(List<Pending> group) {
        for (Pending p : group) {
            if (p.write instanceof Write.Txn<?> t && t.watch() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The store as an entry's read-modify-writes see it: this member's engine with the entry's
     * earlier writes over it, as of the engine's clock read once, the time every member then
     * applies them as of ({@link Conditional#asOf}). The engine's reads hide a key whose
     * deadline has passed by its clock, as the view does by its time; whether such a key is still
     * stored, and the keys stored, are read through the engine's transactions
     * ({@link StoredEntries}), so a read-modify-write removes a key every member still stores
     * (a DEL of it, a FLUSHDB). Those are the only reads of the engine that cost a transaction.
     */
    private GroupView entryView() {
        return new GroupView(new GroupView.Committed() {
            @Override
            public Entry stored(Bytes key) throws KvsException {
                return engine.entry(key);
            }

            @Override
            public boolean contains(Bytes key) throws KvsException {
                return engine.entry(key) != null || StoredEntries.entries(engine, List.of(key)).get(0) != null;
            }

            @Override
            public Iterator<Bytes> keys() throws KvsException {
                return StoredEntries.keys(engine).iterator();
            }
        }, engine.clock().millis());
    }

    /**
     * Readies {@code p} for the entry {@code view} is of (a read-modify-write is run over it) and
     * adds its writes to the view; returns an upper bound on its bytes in the entry.
     */
    private long place(Pending p, GroupView view) {
        switch (p.write) {
            case Write.Set set -> {
                view.written(set.key(), set.value(), set.deadline());
                return estimate(set.key(), set.value());
            }
            case Write.Remove remove -> {
                view.written(remove.key(), null, Entry.NONE);
                return estimate(remove.key(), null);
            }
            case Write.RemoveExpired expired -> {
                return placeRemoveExpired(p, expired, view);
            }
            case Write.Txn<?> txn -> {
                return placeTransaction(p, txn, view);
            }
            case Write.Meta m -> throw new IllegalStateException("refused before it queued: " + m);
        }
    }

    /**
     * A removal of an expired key removes it from the view where the view shows the key with the
     * deadline it names (set earlier in the entry). Where the leader's engine hides the key, its
     * deadline passed, reads of the view find it absent already; the view may still count it
     * stored, and a later removal of it in the entry then removes nothing on the members.
     */
    private static long placeRemoveExpired(Pending p, Write.RemoveExpired expired, GroupView view) {
        Entry e;
        try {
            e = view.stored(expired.key());
        } catch (KvsException failure) {
            p.fail(failure);
            return 0;
        }
        if (e != null && e.deadline() == expired.deadline()) {
            view.written(expired.key(), null, Entry.NONE);
        }
        return estimate(expired.key(), null);
    }

    private long placeTransaction(Pending p, Write.Txn<?> txn, GroupView view) {
        try {
            p.run = Conditional.run(txn, view);
        } catch (KvsException | RuntimeException e) {
            p.run = null;
            p.fail(e);
            return 0;
        }
        if (p.run.refusal() instanceof WatchBroken broken) { // decided over what this member applied: nothing to log
            p.run = null;
            p.refuse(broken);
            return 0;
        }
        Conditional logged = p.run.logged();
        long bytes = 32;
        for (Map.Entry<Bytes, Entry> r : logged.reads().entrySet()) {
            bytes += estimate(r.getKey(), r.getValue() == null ? null : r.getValue().value());
        }
        for (Bytes k : logged.presence().keySet()) {
            bytes += estimate(k, null);
        }
        for (Bytes k : logged.keys() == null ? Set.<Bytes>of() : logged.keys()) {
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
            inDoubt = true;
            placed.forEach(p -> p.fail(e));
            rest.forEach(p -> p.fail(e));
            return false;
        }
    }

    /** An upper bound on a write's bytes in an entry. */
    private static long estimate(Bytes key, Bytes value) {
        return 48 + key.length() + (value == null ? 0 : value.length());
    }

    /** Commits one entry's writes and records each outcome; a read-modify-write that conflicted goes to {@code conflicts}. */
    private void commit(List<Pending> entry, List<Pending> conflicts) throws KvsException {
        if (entry.isEmpty()) {
            return;
        }
        List<Write<?>> writes = entry.stream().<Write<?>>map(Pending::logged).toList();
        RaftClientReply reply = submitter.write(EntryCodec.entry(writes));
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
                case EntryCodec.Applied.Moving m -> p.refuse(new SlotMoving(m.slot()));
                case EntryCodec.Applied.Done d -> {
                    p.outcome = switch (p.write) {
                        case Write.Set set -> Outcome.done();
                        case Write.Remove remove -> Outcome.removed(d.present());
                        case Write.RemoveExpired expired -> Outcome.removed(d.present());
                        case Write.Txn<?> txn -> p.run.refusal() != null
                                ? new Outcome.Refused<>(p.run.refusal()) // refused over what the group holds
                                : new Outcome.Done<>(p.run.result());
                        case Write.Meta m -> throw new IllegalStateException("refused before it queued: " + m);
                    };
                    p.succeed();
                }
            }
        }
    }
}
