package kvs.protocol.server;

import kvs.command.Deadlines;
import kvs.protocol.Expiry;
import kvs.protocol.Response;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Refusal;
import kvs.store.Transaction;

/**
 * The store operations behind the kvs protocol's expiry requests (docs/PROTOCOL.md): a deadline
 * from a request's {@link Expiry}, the read-modify-write of {@code expire} (with {@code persist}'s,
 * {@link Deadlines}), and the answer of {@code ttl}.
 */
final class KeyExpiry {

    private KeyExpiry() {
    }

    /**
     * The deadline {@code expiry} sets at {@code now}.
     *
     * @throws Refusal if a time to live from {@code now} is past the largest deadline, 2^63 - 1 ms
     */
    static long deadline(Expiry expiry, long now) {
        try {
            return expiry.deadline(now);
        } catch (ArithmeticException e) {
            throw new Refusal("invalid expire time: a 'ttl' of " + ((Expiry.After) expiry).millis()
                    + " ms overflows the deadline (Unix milliseconds below 2^63)");
        }
    }

    /**
     * Gives {@code key} the deadline {@code expiry} sets as of the transaction's time, or removes
     * it if that deadline is not after then (a ttl of 0, a past deadline, as Redis's EXPIRE); the
     * result is whether the key was present.
     */
    static Transaction<Boolean> expire(Bytes key, Expiry expiry) {
        return view -> {
            long now = view.now();
            long deadline = deadline(expiry, now); // refused before the lookup: an overflow is an error even for an absent key
            Entry e = view.entry(key);
            if (e == null) {
                return false;
            }
            Deadlines.expire(view, key, e, deadline);
            return true;
        };
    }

    /** The answer of a ttl that read {@code entry} (null: absent), with the time left counted from {@code now}. */
    static Response.Ttl ttl(Entry entry, long now) {
        if (entry == null) {
            return Response.Ttl.ABSENT;
        }
        if (!entry.hasDeadline()) {
            return Response.Ttl.NO_DEADLINE;
        }
        return Response.Ttl.expiring(entry.deadline(), Math.max(0, entry.deadline() - now)); // read just before now: 0 at most
    }
}
