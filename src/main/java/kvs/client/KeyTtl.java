package kvs.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** What the server says of a key's deadline ({@link Client#ttl}): the key is absent, has none, or expires. */
public sealed interface KeyTtl permits KeyTtl.Absent, KeyTtl.NoDeadline, KeyTtl.Expires {

    /** The answer for an absent key. */
    KeyTtl ABSENT = new Absent();
    /** The answer for a key that does not expire. */
    KeyTtl NO_DEADLINE = new NoDeadline();

    /** The key is absent (never set, removed, or expired). */
    record Absent() implements KeyTtl {
    }

    /** The key is present and does not expire. */
    record NoDeadline() implements KeyTtl {
    }

    /**
     * The key is present until {@code deadline} (it is absent from the millisecond after), which
     * was {@code remaining} away by the server's clock when it answered.
     *
     * @param deadline  the last instant at which the key is present
     * @param remaining the time from the server's answer to {@code deadline}, never negative
     */
    record Expires(Instant deadline, Duration remaining) implements KeyTtl {
        /**
         * Checks the answer.
         *
         * @throws IllegalArgumentException if {@code remaining} is negative
         */
        public Expires {
            Objects.requireNonNull(deadline, "deadline");
            Objects.requireNonNull(remaining, "remaining");
            if (remaining.isNegative()) {
                throw new IllegalArgumentException("a time left cannot be negative: " + remaining);
            }
        }
    }
}
