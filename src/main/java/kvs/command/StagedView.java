package kvs.command;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Transaction;

/**
 * One command's writes inside a larger transaction, staged over the transaction's view and
 * handed to it by {@link #commit} only once the command has run to the end: a command that
 * refuses part-way leaves nothing behind.
 */
final class StagedView implements Transaction.View {

    /** Marks a key the command removed. */
    private static final Entry REMOVED = Entry.of(Bytes.wrap(new byte[0]));

    private final Transaction.View parent;
    private final Map<Bytes, Entry> staged = new LinkedHashMap<>();

    StagedView(Transaction.View parent) {
        this.parent = parent;
    }

    @Override
    public long now() {
        return parent.now();
    }

    @Override
    public Entry entry(Bytes key) throws KvsException {
        Entry e = staged.get(key);
        if (e == null) {
            return parent.entry(key);
        }
        return e == REMOVED || e.expiredAt(now()) ? null : e;
    }

    @Override
    public void set(Bytes key, Bytes value, long deadline) {
        staged.put(key, new Entry(value, deadline));
    }

    @Override
    public boolean remove(Bytes key) throws KvsException {
        boolean present = entry(key) != null;
        staged.put(key, REMOVED); // the parent's remove, at commit, removes a key past its deadline too
        return present;
    }

    @Override
    public Collection<Bytes> keys() throws KvsException {
        Set<Bytes> keys = new HashSet<>(parent.keys());
        staged.forEach((k, e) -> {
            if (e == REMOVED) {
                keys.remove(k);
            } else {
                keys.add(k);
            }
        });
        return keys;
    }

    /** Hands the staged writes, in order, to the parent view. */
    void commit() throws KvsException {
        for (Map.Entry<Bytes, Entry> e : staged.entrySet()) {
            if (e.getValue() == REMOVED) {
                parent.remove(e.getKey());
            } else {
                parent.set(e.getKey(), e.getValue().value(), e.getValue().deadline());
            }
        }
    }
}
