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
 * (for a replicated group, which applies it only where the reads still hold).
 */
public final class GroupView {

    /** The data as committed before the group. */
    public interface Committed {
        /** The value of {@code key}, or null. */
        Bytes get(Bytes key) throws KvsException;

        /** Whether {@code key} is present: a get that need not read the value. */
        default boolean contains(Bytes key) throws KvsException {
            return get(key) != null;
        }

        /** Every key present. */
        Iterator<Bytes> keys() throws KvsException;
    }

    /** A set ({@code value} non-null) or a remove of {@code key}. */
    public record Change(Bytes key, Bytes value) {
        public boolean isRemove() {
            return value == null;
        }
    }

    /**
     * A transaction's run: its result, or its refusal (and then no changes); what it wrote (each
     * key once, in the order first written); and what it read of the data before it: each key's
     * value ({@code reads}), the presence of keys it removed without reading ({@code presence}),
     * and the keys it listed ({@code listed}, or null if it did not).
     */
    public record Ran<R>(R result, Refusal refusal, List<Change> changes, Map<Bytes, Bytes> reads,
                         Map<Bytes, Boolean> presence, Set<Bytes> listed) {
    }

    /** Marks a key the group removed in {@link #written}. */
    private static final Bytes REMOVED = Bytes.wrap(new byte[] {0});

    private final Committed committed;
    /** The group's writes so far: a key's value, or {@link #REMOVED}; made on first use. */
    private Map<Bytes, Bytes> written;

    public GroupView(Committed committed) {
        this.committed = committed;
    }

    /** Records a plain write of the group: {@code value} set, or the key removed when it is null. */
    public void written(Bytes key, Bytes value) {
        if (written == null) {
            written = new HashMap<>();
        }
        written.put(key, value == null ? REMOVED : value);
    }

    /** The value of {@code key} with the group's writes so far, or null. */
    public Bytes get(Bytes key) throws KvsException {
        Bytes v = written == null ? null : written.get(key);
        return v == null ? committed.get(key) : v == REMOVED ? null : v;
    }

    /** Whether {@code key} is present with the group's writes so far. */
    public boolean contains(Bytes key) throws KvsException {
        Bytes v = written == null ? null : written.get(key);
        return v == null ? committed.contains(key) : v != REMOVED;
    }

    /** Every key present with the group's writes so far. */
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

    /** Applies {@code writes} (a key's value, or {@link #REMOVED}) to the set of {@code keys}. */
    private static void overlay(Set<Bytes> keys, Map<Bytes, Bytes> writes) {
        writes.forEach((k, v) -> {
            if (v == REMOVED) {
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
     */
    public <R> Ran<R> run(Transaction<R> transaction) throws KvsException {
        TxnView view = new TxnView();
        R result;
        try {
            result = transaction.run(view);
        } catch (Refusal r) {
            return new Ran<>(null, r, List.of(), view.reads, view.presence, view.listed);
        }
        List<Change> changes = new ArrayList<>(view.staged.size());
        view.staged.forEach((k, v) -> {
            changes.add(new Change(k, v == REMOVED ? null : v));
            written(k, v == REMOVED ? null : v);
        });
        return new Ran<>(result, null, changes, view.reads, view.presence, view.listed);
    }

    /** The view one transaction runs over: its own writes staged over the group, its reads of the group recorded. */
    private final class TxnView implements Transaction.View {
        final Map<Bytes, Bytes> staged = new LinkedHashMap<>();
        final Map<Bytes, Bytes> reads = new LinkedHashMap<>();
        final Map<Bytes, Boolean> presence = new LinkedHashMap<>();
        Set<Bytes> listed;

        @Override
        public Bytes get(Bytes key) throws KvsException {
            Bytes v = staged.get(key);
            if (v != null) {
                return v == REMOVED ? null : v;
            }
            if (reads.containsKey(key)) {
                return reads.get(key);
            }
            Bytes value = GroupView.this.get(key);
            reads.put(key, value);
            return value;
        }

        @Override
        public void set(Bytes key, Bytes value) {
            staged.put(key, java.util.Objects.requireNonNull(value, "value"));
        }

        @Override
        public boolean remove(Bytes key) throws KvsException {
            Bytes v = staged.get(key);
            boolean present;
            if (v != null) {
                present = v != REMOVED;
            } else if (reads.containsKey(key)) {
                present = reads.get(key) != null;
            } else if (listed != null) {
                present = listed.contains(key);
            } else {
                Boolean known = presence.get(key);
                present = known != null ? known : GroupView.this.contains(key);
                presence.put(key, present);
            }
            if (present) {
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
