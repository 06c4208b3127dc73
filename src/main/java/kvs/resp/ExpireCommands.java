package kvs.resp;

import kvs.command.Deadlines;
import kvs.command.Ops;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Write;

/**
 * The commands of a key's deadline: EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (with NX, XX, GT,
 * LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, and GETEX. Those that change a deadline are
 * transactions that take "now" from their own view; the TTL family reads the key's entry and
 * answers against the store's clock.
 */
final class ExpireCommands {

    private ExpireCommands() {
    }

    /** The conditions of EXPIRE and its kin: NX, XX, GT, LT. */
    private record Condition(boolean nx, boolean xx, boolean gt, boolean lt) {

        /**
         * The options from argument 3 on, as Redis checks them: the first unknown one is named,
         * then the combinations are checked.
         */
        static Condition parse(Args args) {
            boolean nx = false;
            boolean xx = false;
            boolean gt = false;
            boolean lt = false;
            for (int j = 3; j < args.size(); j++) {
                switch (args.lower(j)) {
                    case "nx" -> nx = true;
                    case "xx" -> xx = true;
                    case "gt" -> gt = true;
                    case "lt" -> lt = true;
                    default -> throw RespError.quoting("ERR Unsupported option " + asErrorEnd(args.raw(j)));
                }
            }
            if (nx && (xx || gt || lt)) {
                throw new RespError("ERR NX and XX, GT or LT options at the same time are not compatible");
            }
            if (gt && lt) {
                throw new RespError("ERR GT and LT options at the same time are not compatible");
            }
            return new Condition(nx, xx, gt, lt);
        }

        /**
         * Whether a key whose deadline is {@code current} ({@link Entry#NONE}: none, which counts as
         * infinite) may be given {@code when}.
         */
        boolean allows(long current, long when) {
            boolean has = current != Entry.NONE;
            return !(nx && has || xx && !has || gt && (!has || when <= current) || lt && has && when >= current);
        }
    }

    /**
     * An argument as Redis's error ends with it: {@code %s} prints it up to its first NUL, and the
     * error's trailing CRs and LFs are trimmed (those inside become spaces when it is written).
     */
    private static String asErrorEnd(String raw) {
        int end = raw.indexOf('\0');
        end = end < 0 ? raw.length() : end;
        while (end > 0 && (raw.charAt(end - 1) == '\r' || raw.charAt(end - 1) == '\n')) {
            end--;
        }
        return raw.substring(0, end);
    }

    /** EXPIRE key seconds [NX|XX|GT|LT ...]. */
    static Reply expire(Args args, Ops ops, RespSession client) {
        return expire(args, ops, client, "expire", true, true);
    }

    /** PEXPIRE key milliseconds [NX|XX|GT|LT ...]. */
    static Reply pexpire(Args args, Ops ops, RespSession client) {
        return expire(args, ops, client, "pexpire", false, true);
    }

    /** EXPIREAT key unix-time-seconds [NX|XX|GT|LT ...]. */
    static Reply expireat(Args args, Ops ops, RespSession client) {
        return expire(args, ops, client, "expireat", true, false);
    }

    /** PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT ...]. */
    static Reply pexpireat(Args args, Ops ops, RespSession client) {
        return expire(args, ops, client, "pexpireat", false, false);
    }

    /**
     * Redis's order: the options, the number, its overflow (errors that win over a missing key),
     * then, in the transaction, the key (missing: 0), the condition (not met: 0), and the change: a
     * time not after now removes the key, any other becomes its deadline (1).
     */
    private static Reply expire(Args args, Ops ops, RespSession client, String command, boolean seconds, boolean relative) {
        Condition condition = Condition.parse(args);
        long t = args.integer(2);
        Expiry.expireAt(t, seconds, relative ? client.store().clock().millis() : 0, command);
        Bytes key = args.key(1);
        Write.Txn<Boolean> txn = ops.write(Write.transaction(view -> {
            long when = Expiry.expireAt(t, seconds, relative ? view.now() : 0, command);
            Entry e = view.entry(key);
            if (e == null || !condition.allows(e.deadline(), when)) {
                return false;
            }
            Deadlines.expire(view, key, e, when);
            return true;
        }));
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    /** A TTL reply computed from a key's entry (null if absent) and the time now. */
    @FunctionalInterface
    private interface TtlReply {
        long of(Entry e, long now);
    }

    static Reply ttl(Args args, Ops ops, RespSession client) {
        return ttl(args, ops, client, Expiry::ttl);
    }

    static Reply pttl(Args args, Ops ops, RespSession client) {
        return ttl(args, ops, client, Expiry::pttl);
    }

    static Reply expiretime(Args args, Ops ops, RespSession client) {
        return ttl(args, ops, client, Expiry::expiretime);
    }

    static Reply pexpiretime(Args args, Ops ops, RespSession client) {
        return ttl(args, ops, client, Expiry::pexpiretime);
    }

    private static Reply ttl(Args args, Ops ops, RespSession client, TtlReply reply) {
        Ops.Read read = ops.readEntry(args.key(1));
        return out -> {
            Entry e = read.entry();
            out.integer(reply.of(e, client.store().clock().millis()));
        };
    }

    /** PERSIST key: 1 if it had a deadline, now removed; 0 if it had none or is absent. */
    static Reply persist(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        Write.Txn<Boolean> txn = ops.write(Write.transaction(Deadlines.persist(key)));
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    /**
     * GETEX key [EX|PX|EXAT|PXAT time|PERSIST]: the value, and the deadline changed. A write even
     * without options, as in Redis (a group's follower answers it READONLY). Redis's order: the
     * options' syntax, the key (missing: a null, whatever the time), then the time's checks; an
     * absolute time not after now removes the key.
     */
    static Reply getex(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        StringOptions o = StringOptions.parse(args, 2, false);
        Expiry.Time time = o.time();
        Write.Txn<Bytes> txn = ops.write(Write.transaction(view -> {
            Entry e = view.entry(key);
            if (e == null) {
                return null;
            }
            if (time != null) {
                Deadlines.expire(view, key, e, time.deadline(view.now(), "getex"));
            } else if (o.persist() && e.hasDeadline()) {
                view.set(key, e.value(), Entry.NONE);
            }
            return e.value();
        }));
        return out -> out.bulkOrNull(txn.outcome().get());
    }
}
