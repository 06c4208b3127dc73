package kvs.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kvs.KvsException;

/**
 * A group of writes as a store commits it, seen as the transactions in it must see the data: the
 * committed data with the group's earlier writes over it. The one such view, for every
 * {@link Store} (KvStore over its log, MvStoreEngine over its map, a group member over the
 * entry it fills): the store records each plain write with {@link #written} and runs each
 * transaction with {@link #run}, which returns what it wrote, to commit, and what it read
 * (for a replicated group, which applies it only where the reads still hold). The view reads
 * deadlines against one time, given when it is made, so a group's transactions see one time.
 */
public final class GroupView {

    /** The data as committed before the group. */
    public interface Committed {
        /**
         * The entry of {@code key} as stored (its deadline may have passed), or null.
         *
         * @param key the key
         * @return its stored entry, or null
         * @throws KvsException if the store cannot be read
         */
        Entry stored(Bytes key) throws KvsException;

        /**
         * Whether {@code key} is stored (its deadline may have passed): a lookup that need not read the value.
         *
         * @param key the key
         * @return whether an entry is stored
         * @throws KvsException if the store cannot be read
         */
        default boolean contains(Bytes key) throws KvsException {
            return stored(key) != null;
        }

        /**
         * Every key stored.
         *
         * @return the stored keys, whatever their deadlines
         * @throws KvsException if the store cannot be read
         */
        Iterator<Bytes> keys() throws KvsException;
    }

    /**
     * A set ({@code value} non-null, with {@code deadline} or {@link Entry#NONE}) or a remove of {@code key}.
     *
     * @param key      the key written
     * @param value    the value set, or null for a remove
     * @param deadline the value's deadline in Unix milliseconds, or {@link Entry#NONE}
     */
    public record Change(Bytes key, Bytes value, long deadline) {
        /**
         * Whether this is a remove.
         *
         * @return whether {@code value} is null
         */
        public boolean isRemove() {
            return value == null;
        }
    }

    /**
     * A transaction's run: its result, or its refusal (and then no changes); what it wrote (each
     * key once, in the order first written); and what it read of the data before it, as of the
     * view's time: each key's entry ({@code reads}, null when absent), the presence of keys it
     * removed without reading ({@code presence}), and the keys it listed ({@code listed}, those
     * stored, or null if it did not list them).
     *
     * @param <R>      the transaction's result type
     * @param result   the transaction's result, null when refused
     * @param refusal  the transaction's refusal, or null when it ran to the end
     * @param changes  what it wrote, each key once, in the order first written; empty when refused
     * @param reads    each key it read, with its entry as of the view's time (null when absent)
     * @param presence whether each key it removed without reading was present
     * @param listed   the keys stored when it listed them, or null if it did not
     */
    public record Ran<R>(R result, Refusal refusal, List<Change> changes, Map<Bytes, Entry> reads,
                         Map<Bytes, Boolean> presence, Set<Bytes> listed) {
    }

    /** Marks a key the group removed. */
    private static final Entry REMOVED = Entry.of(Bytes.wrap(new byte[] {0}));

    private final Committed committed;
    private final long now;
    /** The group's writes so far: a key's entry, or {@link #REMOVED}; made on first use. */
    private Map<Bytes, Entry> written;
    /** The keys the group set (not only removed) so far; made on first use. */
    private Set<Bytes> set;

    /**
     * The group over {@code committed}, read as of {@code now} (Unix milliseconds).
     *
     * @param committed the data before the group
     * @param now       the time deadlines are read against, in Unix milliseconds
     */
    public GroupView(Committed committed, long now) {
        this.committed = committed;
        this.now = now;
    }

    /**
     * The time the view reads deadlines against.
     *
     * @return the view's time, in Unix milliseconds
     */
    public long now() {
        return now;
    }

    /**
     * Records a plain write of the group: {@code key} set to {@code value} with {@code deadline}, or removed when {@code value} is null.
     *
     * @param key      the key written
     * @param value    the value set, or null for a remove
     * @param deadline the value's deadline in Unix milliseconds, or {@link Entry#NONE}
     */
    public void written(Bytes key, Bytes value, long deadline) {
        if (written == null) {
            written = new HashMap<>();
        }
        written.put(key, value == null ? REMOVED : new Entry(value, deadline));
        if (value != null) {
            if (set == null) {
                set = new HashSet<>();
            }
            set.add(key);
        }
    }

    /**
     * The entry of {@code key} as stored with the group's writes so far (its deadline may have passed), or null.
     *
     * @param key the key
     * @return its entry, or null
     * @throws KvsException if the store cannot be read
     */
    public Entry stored(Bytes key) throws KvsException {
        Entry e = written == null ? null : written.get(key);
        return e == null ? committed.stored(key) : e == REMOVED ? null : e;
    }

    /**
     * The entry of {@code key} with the group's writes so far, or null when it is absent as of {@link #now()}.
     *
     * @param key the key
     * @return its entry, or null
     * @throws KvsException if the store cannot be read
     */
    public Entry entry(Bytes key) throws KvsException {
        return entry(key, now);
    }

    private Entry entry(Bytes key, long at) throws KvsException {
        Entry e = stored(key);
        return e == null || e.expiredAt(at) ? null : e;
    }

    /**
     * Whether {@code key} is stored with the group's writes so far (its deadline may have passed).
     *
     * @param key the key
     * @return whether an entry is stored
     * @throws KvsException if the store cannot be read
     */
    public boolean contains(Bytes key) throws KvsException {
        Entry e = written == null ? null : written.get(key);
        return e == null ? committed.contains(key) : e != REMOVED;
    }

    /**
     * Every key stored with the group's writes so far.
     *
     * @return a new set of the keys
     * @throws KvsException if the store cannot be read
     */
    public Set<Bytes> keys() throws KvsException {
        Set<Bytes> keys = new HashSet<>();
        for (Iterator<Bytes> it = committed.keys(); it.hasNext(); ) {
            keys.add(it.next());
        }
        if (written != null) {
            overlay(keys, written);
        }
        return keys;
    }

    /** Applies {@code writes} (a key's entry, or {@link #REMOVED}) to the set of {@code keys}. */
    private static void overlay(Set<Bytes> keys, Map<Bytes, Entry> writes) {
        writes.forEach((k, e) -> {
            if (e == REMOVED) {
                keys.remove(k);
            } else {
                keys.add(k);
            }
        });
    }

    /**
     * Runs {@code transaction} over the group so far; on success its writes join the group and
     * are returned. A {@link Refusal} it throws is the run's, with what it read, and nothing it
     * wrote joins the group; a failure to read is thrown here.
     *
     * @param <R>         the transaction's result type
     * @param transaction the transaction to run
     * @return its run: result or refusal, writes and reads
     * @throws KvsException if the store cannot be read
     */
    public <R> Ran<R> run(Transaction<R> transaction) throws KvsException {
        return run(transaction, Write.Txn.NOW);
    }

    /**
     * {@link #run(Transaction)} as of {@code asOf} (Unix milliseconds) instead of {@link #now()},
     * unless it is {@link Write.Txn#NOW}: a {@link Write.Txn#asOf()}.
     *
     * @param <R>         the transaction's result type
     * @param transaction the transaction to run
     * @param asOf        the time it reads deadlines against, or {@link Write.Txn#NOW}
     * @return its run: result or refusal, writes and reads
     * @throws KvsException if the store cannot be read
     */
    public <R> Ran<R> run(Transaction<R> transaction, long asOf) throws KvsException {
        return run(transaction, asOf, null);
    }

    /**
     * {@link #run(Transaction, long)} under {@code watch} (or none, when null): refused with
     * {@link WatchBroken}, not run, if a watched key changed since it was watched, counting the
     * group's writes before it, which readers cannot see yet: a set of the key, or a removal of a
     * key present when watched ({@link Watch}); a removal of a key absent then changes nothing.
     *
     * @param <R>         the transaction's result type
     * @param transaction the transaction to run
     * @param asOf        the time it reads deadlines against, or {@link Write.Txn#NOW}
     * @param watch       the keys that must not have changed, or null
     * @return its run: result or refusal, writes and reads
     * @throws KvsException if the store cannot be read
     */
    public <R> Ran<R> run(Transaction<R> transaction, long asOf, Watch watch) throws KvsException {
        TxnView view = new TxnView(asOf == Write.Txn.NOW ? now : asOf);
        if (watch != null) {
            Bytes changed = watch.changed(view.now, k -> set != null && set.contains(k),
                    k -> written != null && written.containsKey(k));
            if (changed != null) {
                return new Ran<>(null, new WatchBroken(changed), List.of(), Map.of(), Map.of(), null);
            }
        }
        R result;
        try {
            result = transaction.run(view);
        } catch (Refusal r) {
            return new Ran<>(null, r, List.of(), view.reads, view.presence, view.listed);
        }
        List<Change> changes = new ArrayList<>(view.staged.size());
        view.staged.forEach((k, e) -> {
            if (e == REMOVED) {
                changes.add(new Change(k, null, Entry.NONE));
                written(k, null, Entry.NONE);
            } else {
                changes.add(new Change(k, e.value(), e.deadline()));
                written(k, e.value(), e.deadline());
            }
        });
        return new Ran<>(result, null, changes, view.reads, view.presence, view.listed);
    }

    /** The view one transaction runs over: its own writes staged over the group, its reads of the group recorded. */
    private final class TxnView implements Transaction.View {
        final Map<Bytes, Entry> staged = new LinkedHashMap<>();
        final Map<Bytes, Entry> reads = new LinkedHashMap<>();
        final Map<Bytes, Boolean> presence = new LinkedHashMap<>();
        final long now;
        Set<Bytes> listed;

        TxnView(long now) {
            this.now = now;
        }

        @Override
        public long now() {
            return now;
        }

        @Override
        public Entry entry(Bytes key) throws KvsException {
            Entry e = staged.get(key);
            if (e != null) {
                return e == REMOVED || e.expiredAt(now) ? null : e;
            }
            if (reads.containsKey(key)) {
                return reads.get(key);
            }
            Entry read = GroupView.this.entry(key, now);
            reads.put(key, read);
            return read;
        }

        @Override
        public void set(Bytes key, Bytes value, long deadline) {
            staged.put(key, new Entry(value, deadline));
        }

        @Override
        public boolean remove(Bytes key) throws KvsException {
            Entry e = staged.get(key);
            boolean present;
            boolean stored;
            if (e != null) {
                stored = e != REMOVED;
                present = stored && !e.expiredAt(now);
            } else {
                if (reads.containsKey(key)) {
                    present = reads.get(key) != null;
                } else {
                    Boolean known = presence.get(key);
                    present = known != null ? known : GroupView.this.entry(key, now) != null;
                    presence.put(key, present);
                }
                stored = present || GroupView.this.contains(key); // one whose deadline passed goes too
            }
            if (stored) {
                staged.put(key, REMOVED);
            }
            return present;
        }

        @Override
        public Collection<Bytes> keys() throws KvsException {
            if (listed == null) {
                listed = GroupView.this.keys();
            }
            Set<Bytes> keys = new HashSet<>(listed);
            overlay(keys, staged);
            return keys;
        }
    }
}
