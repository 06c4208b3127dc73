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

    /**
     * Done: durable per the store's policy.
     *
     * @param <R>   the write's result type
     * @param value the write's result (null for a set)
     */
    record Done<R>(R value) implements Outcome<R> {
    }

    /**
     * Refused, with nothing written: a value too large, an INCR of a word, a reserved key.
     *
     * @param <R>     the write's result type
     * @param refusal what was wrong with the write
     */
    record Refused<R>(Refusal refusal) implements Outcome<R> {
    }

    /**
     * Failed: the store could not do it.
     *
     * @param <R>   the write's result type
     * @param cause why; an {@link kvs.UnknownOutcomeException} when the write may have been applied
     */
    record Failed<R>(KvsException cause) implements Outcome<R> {
    }

    /**
     * Done with no result (a set, a transaction that returns nothing).
     *
     * @param <R> the result type the caller needs
     * @return {@link #DONE}
     */
    @SuppressWarnings("unchecked")
    static <R> Outcome<R> done() {
        return (Outcome<R>) DONE;
    }

    /**
     * A remove's outcome: whether the key was present (and so removed).
     *
     * @param present whether the key was present
     * @return {@link #REMOVED} or {@link #ABSENT}
     */
    static Outcome<Boolean> removed(boolean present) {
        return present ? REMOVED : ABSENT;
    }

    /** Done with no result; {@link #done()} gives it the type a caller needs. */
    Outcome<Object> DONE = new Done<>(null);
    /** A remove of a key that was present. */
    Outcome<Boolean> REMOVED = new Done<>(true);
    /** A remove of an absent key. */
    Outcome<Boolean> ABSENT = new Done<>(false);

    /**
     * The result, or the refusal or failure thrown.
     *
     * @return the result of a write that was done
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
