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
     *
     * @param view the store as the transaction sees it
     * @return the result handed to the caller once committed
     * @throws KvsException if the store cannot be read; nothing is committed
     */
    R run(View view) throws KvsException;

    /**
     * The store as the transaction runs: the committed data with the group's earlier writes, and
     * its own, applied; read as of {@link #now()}, so a key whose deadline has passed by then is
     * absent (and a transaction sees one time however long it runs).
     */
    interface View {
        /**
         * The time this view reads deadlines against, Unix milliseconds; the same for the whole run.
         *
         * @return the view's time, in Unix milliseconds
         */
        long now();

        /**
         * The value of {@code key} with its deadline, or null when it is absent.
         *
         * @param key the key to read
         * @return its value and deadline, or null
         * @throws KvsException if the store cannot be read
         */
        Entry entry(Bytes key) throws KvsException;

        /**
         * The value of {@code key}, or null when it is absent.
         *
         * @param key the key to read
         * @return its value, or null
         * @throws KvsException if the store cannot be read
         */
        default Bytes get(Bytes key) throws KvsException {
            Entry e = entry(key);
            return e == null ? null : e.value();
        }

        /**
         * Sets {@code key} with no deadline, committed with the transaction.
         *
         * @param key   the key
         * @param value the value, any bytes
         */
        default void set(Bytes key, Bytes value) {
            set(key, value, Entry.NONE);
        }

        /**
         * Sets {@code key} with {@code deadline} (Unix milliseconds, or {@link Entry#NONE}), committed with the transaction.
         *
         * @param key      the key
         * @param value    the value, any bytes
         * @param deadline when the key expires, in Unix milliseconds, or {@link Entry#NONE}
         */
        void set(Bytes key, Bytes value, long deadline);

        /**
         * Removes {@code key}, committed with the transaction; whether it was present. A key
         * whose deadline has passed is removed too, though it was not present.
         *
         * @param key the key to remove
         * @return whether it was present
         * @throws KvsException if the store cannot be read
         */
        boolean remove(Bytes key) throws KvsException;

        /**
         * Every key stored, in no particular order: those whose deadline has passed too, so
         * removing each of them leaves none.
         *
         * @return the stored keys
         * @throws KvsException if the store cannot be read
         */
        Collection<Bytes> keys() throws KvsException;
    }
}
