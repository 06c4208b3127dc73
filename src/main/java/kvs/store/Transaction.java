package kvs.store;

import java.util.Collection;

import kvs.KvsException;

/**
 * A read-modify-write of one or more keys: the store runs it in its place among a group's writes
 * with every other write held off, so what it reads is current, and commits what it wrote
 * through the view all together (all or none, across a crash), before any later write.
 *
 * @param <R> what it returns to its caller (an old value, a count), once committed
 */
@FunctionalInterface
public interface Transaction<R> {

    /**
     * Reads and writes through {@code view} and returns the caller's result. Throwing a
     * {@link Refusal} refuses the transaction: nothing it wrote is committed and the refusal is
     * its outcome. It may be run more than once (a replicated group runs it again when what it
     * read has changed by the time its entry commits), so it keeps no state of its own.
     */
    R run(View view) throws KvsException;

    /** The store as the transaction runs: the committed data with the group's earlier writes, and its own, applied. */
    interface View {
        /** The value of {@code key}, or null when it is absent. */
        Bytes get(Bytes key) throws KvsException;

        /** Sets {@code key}, committed with the transaction. */
        void set(Bytes key, Bytes value);

        /** Removes {@code key}, committed with the transaction; whether it was present. */
        boolean remove(Bytes key) throws KvsException;

        /** Every key present, in no particular order. */
        Collection<Bytes> keys() throws KvsException;
    }
}
