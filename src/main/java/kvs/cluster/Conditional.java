package kvs.cluster;

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

/**
 * A read-modify-write as a replicated group logs it: what the leader read when it ran the
 * transaction (each key's value, the presence of keys it removed unread, and the keys present if
 * it listed them) and the writes it made. Every member applies the writes only if it reads the
 * same at that point in the log (as one store transaction, so nothing comes between the check
 * and the writes), and the transaction returns whether it did; otherwise the entry's answer is a
 * conflict and the leader runs the transaction again. The check is of the values themselves, so
 * every member decides alike whatever each has restarted from.
 * <p>
 * The caller's transaction keeps its result on the leader, which ran it; that result stands once
 * the group has applied its writes under these conditions. A transaction that refused (an INCR of
 * a word) is logged without writes, so the refusal too is checked against the state it was made from.
 *
 * @param reads    each key the transaction read, in order, and the value it saw (null: absent)
 * @param presence each key it removed without reading it, and whether it was present
 * @param keys     the keys present when the transaction listed them, or null if it did not
 * @param writes   what it wrote, in order
 */
record Conditional(Map<Bytes, Entry> reads, Map<Bytes, Boolean> presence, Set<Bytes> keys,
                   List<GroupView.Change> writes) implements Transaction<Boolean> {

    /** Applies the writes if {@code view} reads as the leader's did, and says whether it did; nothing otherwise. */
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
        if (keys != null && !keys.equals(new HashSet<>(view.keys()))) {
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

    /** A caller's transaction run by the leader: what goes in the entry, and the caller's result or refusal. */
    record Run(Conditional logged, Object result, Refusal refusal) {
    }

    /** Runs {@code transaction} over {@code view}, recording what it reads. */
    static Run run(Transaction<?> transaction, GroupView view) throws KvsException {
        GroupView.Ran<?> ran = view.run(transaction);
        return new Run(new Conditional(ran.reads(), ran.presence(), ran.listed(), ran.changes()), ran.result(), ran.refusal());
    }
}
