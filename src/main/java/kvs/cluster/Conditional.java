package kvs.cluster;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Refusal;
import kvs.store.Transaction;
import kvs.store.Watch;
import kvs.store.Write;

/**
 * A read-modify-write as a replicated group logs it: the time the leader ran the transaction as
 * of, what it read then (each key's entry, the presence of keys it removed unread, and the keys
 * present if it listed them; a key whose deadline had passed by {@code asOf} is absent) and the
 * writes it made, with their deadlines. Every member applies the writes only if it reads the same
 * at that point in the log (as one store transaction, so nothing comes between the check and the
 * writes), and the transaction returns whether it did; otherwise the entry's answer is a conflict
 * and the leader runs the transaction again.
 * <p>
 * Every member decides alike, whatever it has restarted from and whatever its own clock says: a
 * member applies the transaction as of {@code asOf} ({@link #write()}), so its view hides exactly
 * the keys the leader's did, and {@link #run} compares nothing but entries and key sets read
 * through that view (values and deadlines, never a clock), then writes absolute deadlines.
 * <p>
 * The caller's transaction keeps its result on the leader, which ran it; that result stands once
 * the group has applied its writes under these conditions. A transaction that refused (an INCR of
 * a word) is logged without writes, so the refusal too is checked against the state it was made from.
 *
 * @param asOf     the time the leader's view read deadlines against (Unix milliseconds), or
 *                 {@link Write.Txn#NOW} for an entry written before keys had deadlines (format 1 or 2)
 * @param reads    each key the transaction read, in order, and the entry it saw (null: absent)
 * @param presence each key it removed without reading it, and whether it was present
 * @param keys     the keys present as of {@code asOf} when the transaction listed them (those stored
 *                 and live), or null if it did not list them
 * @param writes   what it wrote, in order
 */
record Conditional(long asOf, Map<Bytes, Entry> reads, Map<Bytes, Boolean> presence, Set<Bytes> keys,
                   List<GroupView.Change> writes) implements Transaction<Boolean> {

    /**
     * Applies the writes if {@code view} reads as the leader's did, and says whether it did;
     * nothing otherwise. Deterministic, so every member decides alike: it reads only through
     * {@code view}, whose time is {@link #asOf} on a member ({@link #write()}), never the member's
     * clock; it compares entries (values and deadlines) and sets of keys, never the order a store
     * lists them in; and it writes absolute deadlines.
     */
    @Override
    public Boolean run(View view) throws KvsException {
        for (Map.Entry<Bytes, Entry> r : reads.entrySet()) {
            if (!Objects.equals(view.entry(r.getKey()), r.getValue())) {
                return false;
            }
        }
        for (Map.Entry<Bytes, Boolean> p : presence.entrySet()) {
            if ((view.get(p.getKey()) != null) != p.getValue()) {
                return false;
            }
        }
        if (keys != null && !keys.equals(live(view.keys(), view))) {
            return false;
        }
        for (GroupView.Change c : writes) {
            if (c.isRemove()) {
                view.remove(c.key());
            } else {
                view.set(c.key(), c.value(), c.deadline());
            }
        }
        return true;
    }

    /** The write that applies this on a member: a transaction as of {@link #asOf}, so every member reads as the leader did. */
    Write.Txn<Boolean> write() {
        return asOf == Write.Txn.NOW ? Write.transaction(this) : Write.transaction(this, asOf);
    }

    /**
     * The keys of {@code stored} present in {@code view}: those whose deadline has not passed
     * (a member's view reads a key its engine holds after the deadline as absent).
     */
    private static Set<Bytes> live(Collection<Bytes> stored, View view) throws KvsException {
        Set<Bytes> live = new HashSet<>();
        for (Bytes k : stored) {
            if (view.entry(k) != null) {
                live.add(k);
            }
        }
        return live;
    }

    /** Every key the transaction read, checked the presence of, or wrote. */
    Set<Bytes> touched() {
        Set<Bytes> all = new HashSet<>(reads.keySet());
        all.addAll(presence.keySet());
        for (GroupView.Change c : writes) {
            all.add(c.key());
        }
        return all;
    }

    /** A caller's transaction run by the leader: what goes in the entry, and the caller's result or refusal. */
    record Run(Conditional logged, Object result, Refusal refusal) {
    }

    /**
     * Runs the caller's transaction {@code txn} over {@code view} as of its {@link Write.Txn#asOf()}
     * ({@link Write.Txn#NOW} for the view's time), recording what it reads. Under a watch, the
     * leader decides whether it still holds (its engine has applied every entry committed before
     * this one: {@link EntryWriter} sees to it) and the transaction first reads the watched keys,
     * so a member whose keys differ finds a conflict rather than a different answer.
     */
    static <R> Run run(Write.Txn<R> txn, GroupView view) throws KvsException {
        long at = txn.asOf() == Write.Txn.NOW ? view.now() : txn.asOf();
        Listing listing = new Listing(view, at);
        Watch watch = txn.watch();
        Transaction<R> transaction = watch == null ? txn.transaction() : v -> {
            for (Bytes k : watch.keys()) {
                v.entry(k);
            }
            return txn.transaction().run(v);
        };
        GroupView.Ran<R> ran = view.run(v -> listing.run(transaction, v), at, watch);
        return new Run(new Conditional(at, ran.reads(), ran.presence(), listing.live, ran.changes()), ran.result(), ran.refusal());
    }

    /**
     * Runs a transaction on the leader and, if it listed the keys, records those present before it
     * wrote: a listing has every key stored, those whose deadline has passed too, and what members
     * compare is the keys present as of the run's time, which each member's view and the leader's
     * decide alike (the leader's engine hides an expired key by its own clock).
     * Worked out as the transaction ends, while the group's view does not yet hold its writes.
     */
    private static final class Listing {
        private final GroupView group;
        private final long asOf;
        /** Keys the transaction wrote before it first listed the keys: a removed one is not in the listing. */
        private final Set<Bytes> writtenFirst = new HashSet<>();
        /** The keys the transaction listed, with {@link #writtenFirst}: those that may have been present before it; null until it lists them. */
        private Set<Bytes> candidates;
        /** The keys present before the transaction, once it ended; null if it did not list them. */
        Set<Bytes> live;

        Listing(GroupView group, long asOf) {
            this.group = group;
            this.asOf = asOf;
        }

        <R> R run(Transaction<R> transaction, View view) throws KvsException {
            R result;
            try {
                result = transaction.run(new Watched(view));
            } catch (Refusal r) {
                settle();
                throw r;
            }
            settle();
            return result;
        }

        private void settle() throws KvsException {
            if (candidates == null) {
                return;
            }
            live = new HashSet<>();
            for (Bytes k : candidates) {
                Entry e = group.stored(k); // the group's view without this transaction's writes
                if (e != null && !e.expiredAt(asOf)) {
                    live.add(k);
                }
            }
        }

        /** The transaction's view, through which its listing is watched. */
        private final class Watched implements View {
            private final View view;

            Watched(View view) {
                this.view = view;
            }

            @Override
            public long now() {
                return view.now();
            }

            @Override
            public Entry entry(Bytes key) throws KvsException {
                return view.entry(key);
            }

            @Override
            public void set(Bytes key, Bytes value, long deadline) {
                written(key);
                view.set(key, value, deadline);
            }

            @Override
            public boolean remove(Bytes key) throws KvsException {
                written(key);
                return view.remove(key);
            }

            @Override
            public Collection<Bytes> keys() throws KvsException {
                Collection<Bytes> keys = view.keys();
                if (candidates == null) {
                    candidates = new HashSet<>(keys);
                    candidates.addAll(writtenFirst);
                }
                return keys;
            }

            private void written(Bytes key) {
                if (candidates == null) {
                    writtenFirst.add(key);
                }
            }
        }
    }
}
