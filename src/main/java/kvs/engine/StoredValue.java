package kvs.engine;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;

/**
 * A value the {@link ValueCache} holds, in the form it was last read in: its bytes (the server's
 * reads) or its text (talent-plan's String reads), so neither kind of reader converts a cached
 * value on every read, and only one form is held at a time. The form is swapped without a lock:
 * both forms are immutable and stand for the same bytes, so a reader sees one or the other.
 */
final class StoredValue {

    /** A Bytes or a String. */
    private Object form;
    /** MvStoreEngine's: the key's deadline, Unix milliseconds, or {@link Entry#NONE} (KvStore keeps it in its index). */
    private final long deadline;

    StoredValue(Bytes bytes) {
        this(bytes, Entry.NONE);
    }

    StoredValue(Bytes bytes, long deadline) {
        this.form = bytes;
        this.deadline = deadline;
    }

    long deadline() {
        return deadline;
    }

    /** Whether the key is absent at {@code now}: its deadline has passed. */
    boolean expiredAt(long now) {
        return Entry.expired(deadline, now);
    }

    Bytes bytes() {
        Object f = form;
        if (f instanceof Bytes b) {
            return b;
        }
        Bytes b = Bytes.utf8((String) f); // a String made from valid UTF-8: always encodes
        form = b;
        return b;
    }

    /**
     * The value as text.
     *
     * @throws KvsException if it is not UTF-8 text ({@code key} names it)
     */
    String text(String key) throws KvsException {
        Object f = form;
        if (f instanceof String s) {
            return s;
        }
        Bytes b = (Bytes) f;
        String s = b.utf8OrNull();
        if (s == null) {
            throw new KvsException("the value of '" + key + "' is not UTF-8 text (" + b.length()
                    + " bytes); read it with get(Bytes)");
        }
        form = s;
        return s;
    }
}
