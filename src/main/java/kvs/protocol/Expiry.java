package kvs.protocol;

/**
 * When a key expires, as a request says it: {@code "ttl"}, milliseconds from when the server
 * applies the request (by its clock; in a replicated group, its leader's), or {@code "deadline"},
 * a Unix time in milliseconds. The server turns a time to live into a deadline, which is what the
 * store keeps.
 */
public sealed interface Expiry {

    /**
     * The deadline this sets when applied at {@code now} (Unix milliseconds).
     *
     * @throws ArithmeticException if {@code now} plus a time to live is past 2^63 - 1
     */
    long deadline(long now);

    /** {@code "ttl": millis}: the key expires {@code millis} after the request is applied. */
    record After(long millis) implements Expiry {
        public After {
            if (millis < 0) {
                throw new IllegalArgumentException("'ttl' must be a whole number of milliseconds, not negative: " + millis);
            }
        }

        @Override
        public long deadline(long now) {
            return Math.addExact(now, millis);
        }
    }

    /** {@code "deadline": unixMillis}: the key expires after that time. */
    record At(long unixMillis) implements Expiry {
        public At {
            if (unixMillis <= 0) {
                throw new IllegalArgumentException("'deadline' must be a positive Unix time in milliseconds: " + unixMillis);
            }
        }

        @Override
        public long deadline(long now) {
            return unixMillis;
        }
    }
}
