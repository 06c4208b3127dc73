package kvs.resp;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.KvsException;
import kvs.internal.Failures;
import kvs.internal.Transaction;
import kvs.internal.Write;
import kvs.server.Ops;

/**
 * The string commands: GET, SET and their kin. Plain GET, SET, MGET and DEL map onto the same
 * reads and writes as the kvs protocol; a command that reads before it writes is a
 * {@link Transaction}, atomic against every other write to its keys.
 */
final class StringCommands {

    private StringCommands() {
    }

    static Reply get(Args args, Ops ops, RespSession client) {
        int i = ops.read(args.text(1));
        return out -> bulkOrNull(out, ops.value(i));
    }

    static Reply set(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        String value = args.text(2);
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean expiry = false;
        for (int j = 3; j < args.size(); j++) {
            switch (args.lower(j)) {
                case "nx" -> {
                    if (xx) {
                        throw RespError.SYNTAX;
                    }
                    nx = true;
                }
                case "xx" -> {
                    if (nx) {
                        throw RespError.SYNTAX;
                    }
                    xx = true;
                }
                case "get" -> get = true;
                case "keepttl" -> {
                    if (expiry) {
                        throw RespError.SYNTAX;
                    }
                    expiry = true;
                }
                case "ex", "px", "exat", "pxat" -> {
                    if (expiry || j + 1 >= args.size()) {
                        throw RespError.SYNTAX;
                    }
                    expiry = true;
                    j++;
                }
                default -> throw RespError.SYNTAX;
            }
        }
        if (expiry) {
            throw RespError.NO_EXPIRY;
        }
        if (!nx && !xx && !get) {
            int i = ops.write(Write.set(key, value));
            return out -> {
                check(ops, i);
                out.simple("OK");
            };
        }
        boolean ifAbsent = nx;
        boolean ifPresent = xx;
        String[] old = new String[1];
        boolean[] written = new boolean[1];
        int i = ops.write(Write.transaction(view -> {
            old[0] = view.get(key);
            if (ifAbsent && old[0] != null || ifPresent && old[0] == null) {
                return List.of();
            }
            written[0] = true;
            return List.of(Write.set(key, value));
        }));
        boolean replyOld = get;
        return out -> {
            check(ops, i);
            if (replyOld) {
                bulkOrNull(out, old[0]);
            } else if (written[0]) {
                out.simple("OK");
            } else {
                out.nullBulk();
            }
        };
    }

    static Reply setnx(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        String value = args.text(2);
        boolean[] written = new boolean[1];
        int i = ops.write(Write.transaction(view -> {
            if (view.get(key) != null) {
                return List.of();
            }
            written[0] = true;
            return List.of(Write.set(key, value));
        }));
        return out -> {
            check(ops, i);
            out.integer(written[0] ? 1 : 0);
        };
    }

    static Reply getset(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        String value = args.text(2);
        return replyOld(ops, key, old -> List.of(Write.set(key, value)));
    }

    static Reply getdel(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        return replyOld(ops, key, old -> old == null ? List.of() : List.of(Write.remove(key)));
    }

    /** A transaction on {@code key} whose writes depend on its old value, which is the reply. */
    private static Reply replyOld(Ops ops, String key, java.util.function.Function<String, List<Write>> change) {
        String[] old = new String[1];
        int i = ops.write(Write.transaction(view -> {
            old[0] = view.get(key);
            return change.apply(old[0]);
        }));
        return out -> {
            check(ops, i);
            bulkOrNull(out, old[0]);
        };
    }

    static Reply mget(Args args, Ops ops, RespSession client) {
        String[] keys = texts(args, 1, args.size());
        int first = ops.size();
        for (String k : keys) {
            ops.read(k);
        }
        return out -> {
            String[] values = new String[keys.length];
            for (int j = 0; j < keys.length; j++) {
                values[j] = ops.value(first + j); // a read that failed fails the command, before any of its reply
            }
            out.array(values.length);
            for (String v : values) {
                bulkOrNull(out, v);
            }
        };
    }

    static Reply mset(Args args, Ops ops, RespSession client) {
        List<Write> sets = pairs(args, "mset");
        int i = ops.write(Write.transaction(view -> sets)); // one transaction: all or nothing
        return out -> {
            check(ops, i);
            out.simple("OK");
        };
    }

    static Reply msetnx(Args args, Ops ops, RespSession client) {
        List<Write> sets = pairs(args, "msetnx");
        boolean[] written = new boolean[1];
        int i = ops.write(Write.transaction(view -> {
            for (Write w : sets) {
                if (view.get(w.key()) != null) {
                    return List.of();
                }
            }
            written[0] = true;
            return sets;
        }));
        return out -> {
            check(ops, i);
            out.integer(written[0] ? 1 : 0);
        };
    }

    private static List<Write> pairs(Args args, String command) {
        if (args.size() % 2 == 0) {
            throw RespError.arity(command);
        }
        List<Write> sets = new ArrayList<>(args.size() / 2);
        for (int j = 1; j < args.size(); j += 2) {
            sets.add(Write.set(args.text(j), args.text(j + 1)));
        }
        return sets;
    }

    static Reply strlen(Args args, Ops ops, RespSession client) {
        int i = ops.read(args.text(1));
        return out -> {
            String v = ops.value(i);
            out.integer(v == null ? 0 : utf8Length(v));
        };
    }

    static Reply append(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        String suffix = args.text(2);
        long max = client.maxBulk();
        long[] length = new long[1];
        int i = ops.write(Write.transaction(view -> {
            String old = view.get(key);
            String value = old == null ? suffix : old + suffix;
            length[0] = utf8Length(value);
            if (length[0] > max) {
                throw RespError.TOO_LONG;
            }
            return List.of(Write.set(key, value));
        }));
        return out -> {
            check(ops, i);
            out.integer(length[0]);
        };
    }

    static Reply getrange(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        long start = args.integer(2);
        long end = args.integer(3);
        int i = ops.read(key);
        return out -> {
            String v = ops.value(i);
            byte[] b = v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8);
            out.bulk(range(b, start, end));
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
        String key = args.text(1);
        long offset = args.integer(2);
        byte[] patch = args.bytes(3);
        Args.utf8(patch); // text, even though the result is checked again
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        long max = client.maxBulk();
        long[] length = new long[1];
        int i = ops.write(Write.transaction(view -> {
            String old = view.get(key);
            byte[] b = old == null ? new byte[0] : old.getBytes(StandardCharsets.UTF_8);
            length[0] = b.length;
            if (patch.length == 0) {
                return List.of();
            }
            if (offset + patch.length > max) {
                throw RespError.TOO_LONG;
            }
            byte[] next = Arrays.copyOf(b, (int) Math.max(b.length, offset + patch.length));
            System.arraycopy(patch, 0, next, (int) offset, patch.length);
            length[0] = next.length;
            return List.of(Write.set(key, Args.utf8(next)));
        }));
        return out -> {
            check(ops, i);
            out.integer(length[0]);
        };
    }

    static Reply incr(Args args, Ops ops, RespSession client) {
        return incrBy(ops, args.text(1), 1);
    }

    static Reply decr(Args args, Ops ops, RespSession client) {
        return incrBy(ops, args.text(1), -1);
    }

    static Reply incrby(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        return incrBy(ops, key, args.integer(2));
    }

    static Reply decrby(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        long by = args.integer(2);
        if (by == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        return incrBy(ops, key, -by);
    }

    private static Reply incrBy(Ops ops, String key, long by) {
        long[] result = new long[1];
        int i = ops.write(Write.transaction(view -> {
            String old = view.get(key);
            long n = 0;
            if (old != null) {
                byte[] b = old.getBytes(StandardCharsets.UTF_8);
                n = RespRequestReader.parseLong(b, 0, b.length);
                if (n == Long.MIN_VALUE && !old.equals(Long.toString(Long.MIN_VALUE))) {
                    throw RespError.NOT_INTEGER;
                }
            }
            if (by < 0 ? n < Long.MIN_VALUE - by : n > Long.MAX_VALUE - by) {
                throw RespError.OVERFLOW;
            }
            result[0] = n + by;
            return List.of(Write.set(key, Long.toString(result[0])));
        }));
        return out -> {
            check(ops, i);
            out.integer(result[0]);
        };
    }

    static Reply incrbyfloat(Args args, Ops ops, RespSession client) {
        String key = args.text(1);
        BigDecimal by = LongDouble.parse(args.text(2));
        String[] result = new String[1];
        int i = ops.write(Write.transaction(view -> {
            String old = view.get(key);
            BigDecimal sum = LongDouble.add(old == null ? BigDecimal.ZERO : LongDouble.parse(old), by);
            result[0] = LongDouble.format(sum);
            return List.of(Write.set(key, result[0]));
        }));
        return out -> {
            check(ops, i);
            out.bulk(result[0]);
        };
    }

    static String[] texts(Args args, int from, int to) {
        String[] texts = new String[to - from];
        for (int j = from; j < to; j++) {
            texts[j - from] = args.text(j);
        }
        return texts;
    }

    /** Throws the failure of operation {@code i}, if it failed. */
    static void check(Ops ops, int i) throws KvsException {
        Exception e = ops.failure(i);
        if (e != null) {
            throw Failures.rethrown(e);
        }
    }

    static void bulkOrNull(RespWriter out, String v) {
        if (v == null) {
            out.nullBulk();
        } else {
            out.bulk(v);
        }
    }

    /** The length of {@code s} in UTF-8, as Redis counts a string's length. */
    static long utf8Length(String s) {
        long n = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                j++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
