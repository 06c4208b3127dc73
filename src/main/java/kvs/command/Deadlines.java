package kvs.command;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Transaction;

/** The deadline changes both protocols make inside their transactions: Redis's EXPIRE and PERSIST on a view. */
public final class Deadlines {

    private Deadlines() {
    }

    /**
     * Gives {@code key}, present with {@code entry}, the deadline {@code deadline}, or removes it when
     * that is not after the view's time (an EXPIRE into the past deletes, as in Redis).
     */
    public static void expire(Transaction.View view, Bytes key, Entry entry, long deadline) throws KvsException {
        if (deadline <= view.now()) {
            view.remove(key);
        } else {
            view.set(key, entry.value(), deadline);
        }
    }

    /** Removes {@code key}'s deadline; the result is whether it had one (false for an absent key). */
    public static Transaction<Boolean> persist(Bytes key) {
        return view -> {
            Entry e = view.entry(key);
            if (e == null || !e.hasDeadline()) {
                return false;
            }
            view.set(key, e.value(), Entry.NONE);
            return true;
        };
    }
}
