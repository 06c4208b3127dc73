package kvs.store;

import java.util.Objects;

/**
 * A key's value and its deadline: the Unix time in milliseconds after which the key is absent
 * (it is still present at that very millisecond, as in Redis), or {@link #NONE} for a key that
 * does not expire. Deadlines are absolute, so they mean the same after a restart and on every
 * member of a replicated group.
 *
 * @param value    the value
 * @param deadline the deadline in Unix milliseconds (positive), or {@link #NONE}
 */
public record Entry(Bytes value, long deadline) {

    /** The deadline of a key that does not expire. */
    public static final long NONE = 0;

    /**
     * Checks the entry.
     *
     * @throws IllegalArgumentException if {@code deadline} is negative
     */
    public Entry {
        Objects.requireNonNull(value, "value");
        if (deadline < 0) {
            throw new IllegalArgumentException("a deadline is a positive Unix time in milliseconds: " + deadline);
        }
    }

    /**
     * A value that does not expire.
     *
     * @param value the value
     * @return the entry, without a deadline
     */
    public static Entry of(Bytes value) {
        return new Entry(value, NONE);
    }

    /**
     * Whether the key expires.
     *
     * @return whether the deadline is not {@link #NONE}
     */
    public boolean hasDeadline() {
        return deadline != NONE;
    }

    /**
     * Whether the key is absent at {@code now} (Unix milliseconds): its deadline has passed.
     *
     * @param now the time, in Unix milliseconds
     * @return whether the deadline is set and before {@code now}
     */
    public boolean expiredAt(long now) {
        return expired(deadline, now);
    }

    /**
     * Whether a key with {@code deadline} ({@link #NONE} for none) is absent at {@code now}.
     *
     * @param deadline the deadline in Unix milliseconds, or {@link #NONE}
     * @param now      the time, in Unix milliseconds
     * @return whether the deadline is set and before {@code now}
     */
    public static boolean expired(long deadline, long now) {
        return deadline != NONE && now > deadline;
    }
}
