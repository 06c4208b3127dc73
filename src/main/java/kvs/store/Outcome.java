package kvs.store;

import kvs.KvsException;

/**
 * What became of one {@link Write}: done with its result, refused (the request's own fault, and
 * nothing was written), or failed (the store could not do it: an I/O error, a group without a
 * leader; it may or may not have been applied, as the cause says).
 *
 * @param <R> the write's result: nothing for a set, whether the key was present for a remove,
 *            the transaction's own for a transaction
 */
public sealed interface Outcome<R> {

    /** Done: durable per the store's policy. */
    record Done<R>(R value) implements Outcome<R> {
    }

    /** Refused, with nothing written: a value too large, an INCR of a word, a reserved key. */
    record Refused<R>(Refusal refusal) implements Outcome<R> {
    }

    /** Failed: the store could not do it. */
    record Failed<R>(KvsException cause) implements Outcome<R> {
    }

    /** Done with no result (a set, a transaction that returns nothing). */
    @SuppressWarnings("unchecked")
    static <R> Outcome<R> done() {
        return (Outcome<R>) DONE;
    }

    /** A remove's outcome: whether the key was present (and so removed). */
    static Outcome<Boolean> removed(boolean present) {
        return present ? REMOVED : ABSENT;
    }

    Outcome<Object> DONE = new Done<>(null);
    Outcome<Boolean> REMOVED = new Done<>(true);
    Outcome<Boolean> ABSENT = new Done<>(false);

    /**
     * The result, or the refusal or failure thrown.
     *
     * @throws Refusal     if it was refused
     * @throws KvsException if it failed
     */
    default R get() throws KvsException {
        return switch (this) {
            case Done<R> d -> d.value();
            case Refused<R> r -> throw r.refusal();
            case Failed<R> f -> throw f.cause();
        };
    }
}
