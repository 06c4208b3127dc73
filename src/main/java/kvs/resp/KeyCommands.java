package kvs.resp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;

import kvs.KvsException;
import kvs.command.Keyspace;
import kvs.command.Ops;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Write;

/**
 * The keyspace commands: DEL, EXISTS, TYPE, RENAME, RENAMENX, COPY, MOVE, DBSIZE, KEYS, SCAN,
 * RANDOMKEY, FLUSHDB. Listing runs in its place in the batch, after every earlier write, over the
 * engine's weakly consistent key iteration, which leaves out keys whose deadline has passed;
 * DBSIZE counts them until a write removes them, as Redis's does.
 */
final class KeyCommands {

    /** A SCAN call returns at least this share of the keys (1/n), so a whole scan takes at most about n calls. */
    private static final int SCAN_CALLS = 256;

    private static final RespError NO_SUCH_KEY = new RespError("ERR no such key");
    private static final RespError SAME_OBJECT = new RespError("ERR source and destination objects are the same");

    private KeyCommands() {
    }

    static Reply del(Args args, Ops ops, RespSession client) {
        List<Write.Remove> removes = new ArrayList<>(args.size() - 1);
        for (int j = 1; j < args.size(); j++) {
            removes.add(ops.write(Write.remove(args.key(j))));
        }
        return out -> {
            long removed = 0;
            for (Write.Remove r : removes) {
                removed += r.outcome().get() ? 1 : 0;
            }
            out.integer(removed);
        };
    }

    static Reply exists(Args args, Ops ops, RespSession client) {
        List<Ops.Read> reads = new ArrayList<>(args.size() - 1);
        for (int j = 1; j < args.size(); j++) {
            reads.add(ops.read(args.key(j)));
        }
        return out -> {
            long n = 0;
            for (Ops.Read r : reads) {
                n += r.value() != null ? 1 : 0;
            }
            out.integer(n);
        };
    }

    static Reply type(Args args, Ops ops, RespSession client) {
        Ops.Read read = ops.read(args.key(1));
        return out -> out.simple(read.value() == null ? "none" : "string");
    }

    /** RENAME key newkey: {@code +OK}; the new key takes the key's value and deadline. */
    static Reply rename(Args args, Ops ops, RespSession client) {
        Write.Txn<Boolean> txn = rename(args, ops, false);
        return out -> {
            txn.outcome().get();
            out.simple("OK");
        };
    }

    /** RENAMENX key newkey: as RENAME, 1; or 0 and nothing done if newkey exists. */
    static Reply renamenx(Args args, Ops ops, RespSession client) {
        Write.Txn<Boolean> txn = rename(args, ops, true);
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    /** A transaction that renames, as Redis does: a missing key is an error, a rename to itself does nothing. */
    private static Write.Txn<Boolean> rename(Args args, Ops ops, boolean nx) {
        Bytes key = args.key(1);
        Bytes newKey = args.key(2);
        return ops.write(Write.transaction(view -> {
            Entry e = view.entry(key);
            if (e == null) {
                throw NO_SUCH_KEY;
            }
            if (key.equals(newKey) || nx && view.entry(newKey) != null) {
                return false;
            }
            view.set(newKey, e.value(), e.deadline());
            view.remove(key);
            return true;
        }));
    }

    /**
     * COPY source destination [DB 0] [REPLACE]: 1 if copied, with the source's deadline; 0 if the
     * source is missing or the destination exists without REPLACE. One database, as SELECT has.
     */
    static Reply copy(Args args, Ops ops, RespSession client) {
        boolean replace = false;
        for (int j = 3; j < args.size(); j++) {
            String option = args.lower(j);
            if (option.equals("replace")) {
                replace = true;
            } else if (option.equals("db") && j + 1 < args.size()) {
                ConnectionCommands.database(args, ++j);
            } else {
                throw RespError.SYNTAX;
            }
        }
        Bytes source = args.key(1);
        Bytes destination = args.key(2);
        if (source.equals(destination)) {
            throw SAME_OBJECT;
        }
        boolean overwrite = replace;
        Write.Txn<Boolean> txn = ops.write(Write.transaction(view -> {
            Entry e = view.entry(source);
            if (e == null || !overwrite && view.entry(destination) != null) {
                return false;
            }
            view.set(destination, e.value(), e.deadline());
            return true;
        }));
        return out -> out.integer(txn.outcome().get() ? 1 : 0);
    }

    /** MOVE key db: with one database, the target is the key's own (Redis's error), or out of range. */
    static Reply move(Args args, Ops ops, RespSession client) {
        ConnectionCommands.database(args, 2);
        throw SAME_OBJECT;
    }

    static Reply dbsize(Args args, Ops ops, RespSession client) {
        Ops.Call<Long> size = ops.call(Keyspace::size);
        return out -> out.integer(size.result());
    }

    static Reply keys(Args args, Ops ops, RespSession client) {
        byte[] pattern = args.bytes(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        Ops.Call<List<Bytes>> found = ops.call(keyspace -> {
            List<Bytes> keys = new ArrayList<>();
            for (Iterator<Bytes> it = keyspace.keys(); it.hasNext(); ) {
                Bytes k = it.next();
                if (all || Glob.matches(pattern, k.toByteArray(), false)) {
                    keys.add(k);
                }
            }
            return keys;
        });
        return out -> writeKeys(out, found.result());
    }

    private static void writeKeys(RespWriter out, List<Bytes> keys) {
        out.array(keys.size());
        for (Bytes k : keys) {
            out.bulk(k);
        }
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]. Keys are visited in the order of a hash
     * of each key; the cursor is where the next call starts in that order, so a key present for
     * the whole scan is returned once, whatever is written meanwhile, as Redis promises. A call
     * walks every key: it returns at least a 256th of them, however small COUNT is.
     */
    static Reply scan(Args args, Ops ops, RespSession client) {
        long cursor = cursor(args);
        byte[] match = null;
        long count = 10;
        boolean strings = true;
        for (int j = 2; j < args.size(); j += 2) {
            if (j + 1 >= args.size()) {
                throw RespError.SYNTAX;
            }
            switch (args.lower(j)) {
                case "count" -> {
                    count = args.integer(j + 1);
                    if (count < 1) {
                        throw RespError.SYNTAX;
                    }
                }
                case "match" -> match = args.bytes(j + 1);
                case "type" -> strings = args.lower(j + 1).equals("string");
                default -> throw RespError.SYNTAX;
            }
        }
        if (!strings) { // every key is a string: no other type has any
            return out -> out.array(2).bulk("0").array(0);
        }
        long wanted = count;
        byte[] pattern = match;
        Ops.Call<ScanPage> call = ops.call(keys -> ScanPage.of(keys, cursor, Math.max(wanted, keys.size() / SCAN_CALLS), pattern));
        return out -> {
            ScanPage page = call.result();
            out.array(2);
            out.bulk(Long.toUnsignedString(page.next()));
            writeKeys(out, page.keys());
        };
    }

    /**
     * SCAN's cursor: an unsigned 64-bit integer, as Redis reads it with {@code strtoul}: an
     * optional sign ("-1" is the largest cursor), then digits.
     */
    private static long cursor(Args args) {
        String s = args.raw(1);
        boolean negative = !s.isEmpty() && s.charAt(0) == '-';
        String digits = !s.isEmpty() && (negative || s.charAt(0) == '+') ? s.substring(1) : s;
        try {
            if (digits.isEmpty() || !Character.isDigit(digits.charAt(0))) {
                throw new NumberFormatException();
            }
            long v = Long.parseUnsignedLong(digits);
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            throw new RespError("ERR invalid cursor");
        }
    }

    static Reply randomkey(Args args, Ops ops, RespSession client) {
        Ops.Call<Bytes> call = ops.call(keys -> {
            long n = keys.size();
            if (n == 0) {
                return null;
            }
            long skip = ThreadLocalRandom.current().nextLong(n);
            Bytes last = null;
            Iterator<Bytes> it = keys.keys();
            for (long j = 0; j <= skip && it.hasNext(); j++) {
                last = it.next();
            }
            return last;
        });
        return out -> out.bulkOrNull(call.result());
    }

    /** FLUSHDB and FLUSHALL [ASYNC|SYNC]: every key removed in one transaction. */
    static Reply flush(Args args, Ops ops, RespSession client) {
        if (args.size() > 2 || args.size() == 2 && !args.lower(1).equals("async") && !args.lower(1).equals("sync")) {
            throw RespError.SYNTAX;
        }
        Write.Txn<Object> txn = ops.write(Write.transaction(view -> {
            for (Bytes k : view.keys()) {
                view.remove(k);
            }
            return null;
        }));
        return out -> {
            txn.outcome().get();
            out.simple("OK");
        };
    }

    /** One SCAN reply: the keys and the cursor of the next call (0 when the scan is complete). */
    record ScanPage(List<Bytes> keys, long next) {

        /** The position of a key in the scan order: 1 + its 32-bit hash, so that 0 can mean "start". */
        static long position(Bytes key) {
            return (key.hashCode() & 0xFFFFFFFFL) + 1;
        }

        /**
         * The keys at or after {@code cursor} in scan order, about {@code count} of them but whole
         * positions only (keys whose hashes collide go together), then filtered by the pattern.
         * Two passes: the first finds the last position to return, the second takes the keys up to it.
         */
        static ScanPage of(Keyspace keys, long cursor, long count, byte[] match) throws KvsException {
            int limit = (int) Math.min(count, Integer.MAX_VALUE - 8);
            PriorityQueue<Long> smallest = new PriorityQueue<>(Comparator.reverseOrder()); // the limit smallest positions
            boolean more = false;
            for (Iterator<Bytes> it = keys.keys(); it.hasNext(); ) {
                long p = position(it.next());
                if (Long.compareUnsigned(p, cursor) < 0) {
                    continue;
                }
                if (smallest.size() < limit) {
                    smallest.add(p);
                } else if (p < smallest.peek()) {
                    smallest.poll();
                    smallest.add(p);
                    more = true;
                } else if (p > smallest.peek()) {
                    more = true;
                }
            }
            long last = more ? smallest.peek() : Long.MAX_VALUE;
            List<Bytes> found = new ArrayList<>();
            for (Iterator<Bytes> it = keys.keys(); it.hasNext(); ) {
                Bytes k = it.next();
                long p = position(k);
                if (Long.compareUnsigned(p, cursor) >= 0 && p <= last
                        && (match == null || Glob.matches(match, k.toByteArray(), false))) {
                    found.add(k);
                }
            }
            return new ScanPage(found, more ? last + 1 : 0);
        }
    }
}
