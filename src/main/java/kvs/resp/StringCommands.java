package kvs.resp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.KvsException;
import kvs.command.Ops;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Transaction;
import kvs.store.Write;

/**
 * The string commands: GET, SET and their kin, on keys and values of any bytes. Plain GET, SET,
 * MGET and DEL map onto the same reads and writes as the kvs protocol; a command that reads
 * before it writes is a {@link Transaction}, atomic against every other write to its keys, and
 * returns what its reply needs.
 */
final class StringCommands {

    private StringCommands() {
    }

    static Reply get(Args args, Ops ops, RespSession client) {
        Ops.Read read = ops.read(args.key(1));
        return out -> out.bulkOrNull(read.value());
    }

    /** What a SET that reads first did: the old value, and whether it wrote. */
    private record SetResult(Bytes old, boolean written) {
    }

    /**
     * SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time|KEEPTTL]. A SET that need not read the
     * key first (no NX, XX, GET or KEEPTTL) is a plain set, its deadline taken from the store's
     * clock now; one that reads is a transaction, which takes a relative time from its own.
     */
    static Reply set(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        Bytes value = args.key(2);
        StringOptions o = StringOptions.parse(args, 3, true);
        Expiry.Time time = o.time();
        long deadline = time == null ? Entry.NONE : time.deadline(client.store().clock().millis(), "set"); // its errors first
        if (!o.reads()) {
            return setAndReplyOk(ops, Write.set(key, value, deadline));
        }
        Write.Txn<SetResult> txn = ops.write(Write.transaction(view -> {
            Entry old = view.entry(key);
            Bytes oldValue = old == null ? null : old.value();
            if (o.nx() && old != null || o.xx() && old == null) {
                return new SetResult(oldValue, false);
            }
            long d = time != null ? time.deadline(view.now(), "set") : o.keepTtl() ? deadline(old) : Entry.NONE;
            view.set(key, value, d);
            return new SetResult(oldValue, true);
        }));
        return out -> {
            SetResult r = txn.outcome().get();
            if (o.get()) {
                out.bulkOrNull(r.old());
            } else if (r.written()) {
                out.simple("OK");
            } else {
                out.nullBulk();
            }
        };
    }

    /** SETEX key seconds value. */
    static Reply setex(Args args, Ops ops, RespSession client) {
        return setWithTime(args, ops, client, Expiry.Unit.EX, "setex");
    }

    /** PSETEX key milliseconds value. */
    static Reply psetex(Args args, Ops ops, RespSession client) {
        return setWithTime(args, ops, client, Expiry.Unit.PX, "psetex");
    }

    private static Reply setWithTime(Args args, Ops ops, RespSession client, Expiry.Unit unit, String command) {
        Bytes key = args.key(1);
        Bytes value = args.key(3);
        long deadline = new Expiry.Time(unit, args.bytes(2)).deadline(client.store().clock().millis(), command);
        return setAndReplyOk(ops, Write.set(key, value, deadline));
    }

    private static Reply setAndReplyOk(Ops ops, Write.Set set) {
        ops.write(set);
        return out -> {
            set.outcome().get();
            out.simple("OK");
        };
    }

    /** The deadline of a key read, to keep it: {@link Entry#NONE} for an absent key. */
    private static long deadline(Entry e) {
        return e == null ? Entry.NONE : e.deadline();
    }

    static Reply setnx(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        Bytes value = args.key(2);
        Write.Txn<Boolean> txn = ops.write(Write.transaction(view -> {
            if (view.get(key) != null) {
                return false;
            }
            view.set(key, value);
            return true;
        }));
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    static Reply getset(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        Bytes value = args.key(2);
        return replyOld(ops, key, view -> view.set(key, value));
    }

    static Reply getdel(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        return replyOld(ops, key, view -> view.remove(key));
    }

    /** What a command does to a key once it has read its old value. */
    private interface Change {
        void apply(Transaction.View view) throws KvsException;
    }

    /** A transaction on {@code key} that reads its old value, the reply, then makes {@code change}. */
    private static Reply replyOld(Ops ops, Bytes key, Change change) {
        Write.Txn<Bytes> txn = ops.write(Write.transaction(view -> {
            Bytes old = view.get(key);
            change.apply(view);
            return old;
        }));
        return out -> out.bulkOrNull(txn.outcome().get());
    }

    /** MGET key...: the keys read together, so no transaction (MSET, EXEC) is seen in part. */
    static Reply mget(Args args, Ops ops, RespSession client) {
        List<Bytes> keys = new ArrayList<>(args.size() - 1);
        for (int j = 1; j < args.size(); j++) {
            keys.add(args.key(j));
        }
        Ops.ReadAll read = ops.readAll(keys);
        return out -> {
            List<Bytes> values = read.values(); // a read that failed fails the command, before any of its reply
            out.array(values.size());
            for (Bytes v : values) {
                out.bulkOrNull(v);
            }
        };
    }

    static Reply mset(Args args, Ops ops, RespSession client) {
        List<Bytes> pairs = pairs(args, "mset");
        Write.Txn<Object> txn = ops.write(Write.transaction(view -> { // one transaction: all or nothing
            setAll(view, pairs);
            return null;
        }));
        return out -> {
            txn.outcome().get();
            out.simple("OK");
        };
    }

    static Reply msetnx(Args args, Ops ops, RespSession client) {
        List<Bytes> pairs = pairs(args, "msetnx");
        Write.Txn<Boolean> txn = ops.write(Write.transaction(view -> {
            for (int j = 0; j < pairs.size(); j += 2) {
                if (view.get(pairs.get(j)) != null) {
                    return false;
                }
            }
            setAll(view, pairs);
            return true;
        }));
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    /** The arguments from 1 on, keys and values alternating. */
    private static List<Bytes> pairs(Args args, String command) {
        if (args.size() % 2 == 0) {
            throw RespError.arity(command);
        }
        List<Bytes> pairs = new ArrayList<>(args.size() - 1);
        for (int j = 1; j < args.size(); j++) {
            pairs.add(args.key(j));
        }
        return pairs;
    }

    private static void setAll(Transaction.View view, List<Bytes> pairs) {
        for (int j = 0; j < pairs.size(); j += 2) {
            view.set(pairs.get(j), pairs.get(j + 1));
        }
    }

    static Reply strlen(Args args, Ops ops, RespSession client) {
        Ops.Read read = ops.read(args.key(1));
        return out -> {
            Bytes v = read.value();
            out.integer(v == null ? 0 : v.length());
        };
    }

    static Reply append(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        Bytes suffix = args.key(2);
        long max = client.maxBulk();
        Write.Txn<Long> txn = ops.write(Write.transaction(view -> {
            Entry e = view.entry(key);
            Bytes old = e == null ? null : e.value();
            if ((old == null ? 0L : old.length()) + suffix.length() > max) {
                throw RespError.TOO_LONG;
            }
            Bytes value = old == null ? suffix : old.concat(suffix);
            view.set(key, value, deadline(e));
            return (long) value.length();
        }));
        return out -> out.integer(txn.outcome().get());
    }

    static Reply getrange(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        long start = args.integer(2);
        long end = args.integer(3);
        Ops.Read read = ops.read(key);
        return out -> {
            Bytes v = read.value();
            out.bulk(range(v == null ? new byte[0] : v.toByteArray(), start, end));
        };
    }

    /** Redis's GETRANGE arithmetic: negative offsets count from the end, and the range is clamped. */
    private static byte[] range(byte[] b, long start, long end) {
        long len = b.length;
        if (start < 0 && end < 0 && start > end) {
            return new byte[0];
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        end = Math.min(end, len - 1);
        if (start > end || len == 0) {
            return new byte[0];
        }
        return Arrays.copyOfRange(b, (int) start, (int) end + 1);
    }

    static Reply setrange(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        long offset = args.integer(2);
        byte[] patch = args.bytes(3);
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        long max = client.maxBulk();
        Write.Txn<Long> txn = ops.write(Write.transaction(view -> {
            Entry old = view.entry(key);
            byte[] b = old == null ? new byte[0] : old.value().toByteArray();
            if (patch.length == 0) {
                return (long) b.length;
            }
            if (offset + patch.length > max) {
                throw RespError.TOO_LONG;
            }
            byte[] next = Arrays.copyOf(b, (int) Math.max(b.length, offset + patch.length));
            System.arraycopy(patch, 0, next, (int) offset, patch.length);
            view.set(key, Bytes.wrap(next), deadline(old));
            return (long) next.length;
        }));
        return out -> out.integer(txn.outcome().get());
    }

    static Reply incr(Args args, Ops ops, RespSession client) {
        return incrBy(ops, args.key(1), 1);
    }

    static Reply decr(Args args, Ops ops, RespSession client) {
        return incrBy(ops, args.key(1), -1);
    }

    static Reply incrby(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        return incrBy(ops, key, args.integer(2));
    }

    static Reply decrby(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        long by = args.integer(2);
        if (by == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        return incrBy(ops, key, -by);
    }

    private static Reply incrBy(Ops ops, Bytes key, long by) {
        Write.Txn<Long> txn = ops.write(Write.transaction(view -> {
            Entry old = view.entry(key);
            long n = old == null ? 0 : Args.integer(old.value().toByteArray());
            if (by < 0 ? n < Long.MIN_VALUE - by : n > Long.MAX_VALUE - by) {
                throw RespError.OVERFLOW;
            }
            long sum = n + by;
            view.set(key, Bytes.utf8(Long.toString(sum)), deadline(old));
            return sum;
        }));
        return out -> out.integer(txn.outcome().get());
    }

    static Reply incrbyfloat(Args args, Ops ops, RespSession client) {
        Bytes key = args.key(1);
        BigDecimal by = LongDouble.parse(args.raw(2));
        Write.Txn<String> txn = ops.write(Write.transaction(view -> {
            Entry old = view.entry(key);
            BigDecimal sum = LongDouble.add(old == null ? BigDecimal.ZERO : LongDouble.parse(old.value().latin1()), by);
            String text = LongDouble.format(sum);
            view.set(key, Bytes.utf8(text), deadline(old));
            return text;
        }));
        return out -> out.bulk(txn.outcome().get());
    }
}
