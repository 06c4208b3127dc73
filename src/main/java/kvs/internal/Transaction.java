package kvs.internal;

import java.util.Collection;
import java.util.List;

import kvs.KvsException;

/**
 * A read-modify-write of one or more keys, run by the engine's commit leader in its place among
 * the group's writes, with every other write held off: what it reads is current, and the writes
 * it returns are committed before any later write, all in one group. Not API.
 */
@FunctionalInterface
public interface Transaction {

    /**
     * Reads through {@code view} and returns the sets and removes to commit (empty for none; a
     * remove only of a key the view holds). Throwing {@link IllegalArgumentException} refuses the
     * transaction: it becomes the outcome and nothing is written. Anything the caller needs from
     * the run (an old value, a count) it keeps in its own fields: the caller reads them after the
     * group returns.
     */
    List<Write> run(View view) throws KvsException;

    /**
     * Runs this transaction as an engine does: its writes, checked to be sets and removes only.
     *
     * @throws IllegalArgumentException if it returned a transaction, or refused
     */
    default List<Write> writesIn(View view) throws KvsException {
        List<Write> writes = run(view);
        for (Write w : writes) {
            if (w.transaction() != null) {
                throw new IllegalArgumentException("a transaction cannot return a transaction");
            }
        }
        return writes;
    }

    /** The store as the transaction runs: the committed values with the group's earlier writes applied. */
    interface View {
        /** The value of {@code key}, or null when it is absent. */
        String get(String key) throws KvsException;

        /** Every key present. */
        Collection<String> keys() throws KvsException;
    }
}
