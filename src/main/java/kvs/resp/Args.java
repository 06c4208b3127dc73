package kvs.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import kvs.store.Bytes;

/** A request's arguments (argument 0 is the command's name), read as Redis reads them. */
final class Args {

    private final List<byte[]> args;

    Args(List<byte[]> args) {
        this.args = args;
    }

    int size() {
        return args.size();
    }

    byte[] bytes(int i) {
        return args.get(i);
    }

    /** Argument {@code i} as bytes: a key or a value, as it came. */
    Bytes key(int i) {
        return Bytes.wrap(args.get(i)); // each argument is an array of its own, never written again
    }

    /** Argument {@code i} in lower case, for matching a keyword or a command name. */
    String lower(int i) {
        return new String(args.get(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    /** Argument {@code i} as it came, for an error message (each byte one char, as Redis prints them). */
    String raw(int i) {
        return new String(args.get(i), StandardCharsets.ISO_8859_1);
    }

    /** Argument {@code i} as a 64-bit integer, as Redis's {@code string2ll} reads it. */
    long integer(int i) {
        return integer(args.get(i));
    }

    /**
     * {@code b} as a 64-bit integer, as Redis's {@code string2ll} reads it.
     *
     * @throws RespError {@link RespError#NOT_INTEGER} if it is not one
     */
    static long integer(byte[] b) {
        long v = RespRequestReader.parseLong(b, 0, b.length);
        if (v == Long.MIN_VALUE && !isMinLong(b)) {
            throw RespError.NOT_INTEGER;
        }
        return v;
    }

    private static boolean isMinLong(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).equals(Long.toString(Long.MIN_VALUE));
    }
}
