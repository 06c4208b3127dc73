package kvs.resp;

import kvs.store.Entry;

/**
 * Redis's expiry arithmetic, with its checks, errors and rounding: a time argument to a deadline
 * (Unix milliseconds, as {@link Entry} holds it), and a deadline to the TTL replies. C's signed
 * addition wraps as Java's does, so Redis's overflow checks read the same here.
 */
final class Expiry {

    private Expiry() {
    }

    /** The kind of a time argument of SET, SETEX, PSETEX and GETEX. */
    enum Unit {
        EX(true, true), PX(false, true), EXAT(true, false), PXAT(false, false);

        /** Whether the number is in seconds (else milliseconds). */
        final boolean seconds;
        /** Whether it counts from now (else it is a Unix time). */
        final boolean relative;

        Unit(boolean seconds, boolean relative) {
            this.seconds = seconds;
            this.relative = relative;
        }
    }

    /** A time argument as it came ({@code EX 10}: {@link Unit#EX} and the bytes {@code 10}), read when it is needed. */
    record Time(Unit unit, byte[] value) {

        /**
         * The deadline this argument gives at {@code now}, as Redis's {@code getExpireMillisecondsOrReply}
         * computes it: a positive number, relative ones added to {@code now}. An absolute time in the
         * past is a deadline (the key is stored already expired).
         *
         * @throws RespError not an integer; or zero, negative or out of range:
         *                   {@code invalid expire time in '<command>' command}
         */
        long deadline(long now, String command) {
            long v = Args.integer(value);
            if (v <= 0 || unit.seconds && v > Long.MAX_VALUE / 1000) {
                throw invalid(command);
            }
            long ms = unit.seconds ? v * 1000 : v;
            if (unit.relative) {
                ms += now; // may wrap past Long.MAX_VALUE, caught below, as in Redis
            }
            if (ms <= 0) {
                throw invalid(command);
            }
            return ms;
        }
    }

    /**
     * The time EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT names: {@code t} in seconds or milliseconds
     * after {@code base} (now for EXPIRE and PEXPIRE, 0 for the -AT forms). It may be negative or
     * past; a key given such a time is removed.
     *
     * @throws RespError {@code invalid expire time in '<command>' command} if it overflows 64 bits
     */
    static long expireAt(long t, boolean seconds, long base, String command) {
        if (seconds) {
            if (t > Long.MAX_VALUE / 1000 || t < Long.MIN_VALUE / 1000) {
                throw invalid(command);
            }
            t *= 1000;
        }
        if (t > Long.MAX_VALUE - base) {
            throw invalid(command);
        }
        return t + base;
    }

    static RespError invalid(String command) {
        return new RespError("ERR invalid expire time in '" + command + "' command");
    }

    /** PTTL's reply: -2 for an absent key, -1 for a key without a deadline, else the milliseconds left (at least 0). */
    static long pttl(Entry e, long now) {
        return e == null ? -2 : !e.hasDeadline() ? -1 : Math.max(0, e.deadline() - now);
    }

    /** TTL's reply: as {@link #pttl}, the milliseconds left rounded half up to seconds. */
    static long ttl(Entry e, long now) {
        long ms = pttl(e, now);
        return ms < 0 ? ms : (ms + 500) / 1000;
    }

    /** PEXPIRETIME's reply: -2, -1, or the deadline. */
    static long pexpiretime(Entry e, long now) {
        return e == null ? -2 : !e.hasDeadline() ? -1 : e.deadline();
    }

    /** EXPIRETIME's reply: -2, -1, or the deadline rounded half up to seconds (without overflow at the largest). */
    static long expiretime(Entry e, long now) {
        long d = pexpiretime(e, now);
        return d < 0 ? d : d / 1000 + (d % 1000 >= 500 ? 1 : 0);
    }
}
