package kvs.resp;

import java.util.Locale;

/**
 * The options of SET ({@code [NX|XX] [GET] [EX|PX|EXAT|PXAT time|KEEPTTL]}) or of GETEX
 * ({@code [EX|PX|EXAT|PXAT time|PERSIST]}), read as Redis's {@code parseExtendedStringArgumentsOrReply}
 * reads them: in any order and case; an option may repeat (a repeated time: the last one
 * counts), but NX with XX, two kinds of time, or a time with KEEPTTL or PERSIST is a syntax error.
 *
 * @param time the time argument, or null
 */
record StringOptions(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist, Expiry.Time time) {

    /**
     * The options from argument {@code from} on, of SET ({@code set}) or GETEX.
     *
     * @throws RespError {@link RespError#SYNTAX} for a token out of place, unknown, or a time's keyword without its time
     */
    static StringOptions parse(Args args, int from, boolean set) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        boolean persist = false;
        Expiry.Time time = null;
        for (int j = from; j < args.size(); j++) {
            String option = args.lower(j);
            boolean allowed = switch (option) {
                case "nx" -> set && !xx;
                case "xx" -> set && !nx;
                case "get" -> set;
                case "keepttl" -> set && time == null;
                case "persist" -> !set && time == null;
                case "ex", "px", "exat", "pxat" -> !keepTtl && !persist && j + 1 < args.size()
                        && (time == null || time.unit().name().equalsIgnoreCase(option));
                default -> false;
            };
            if (!allowed) {
                throw RespError.SYNTAX;
            }
            switch (option) {
                case "nx" -> nx = true;
                case "xx" -> xx = true;
                case "get" -> get = true;
                case "keepttl" -> keepTtl = true;
                case "persist" -> persist = true;
                default -> time = new Expiry.Time(Expiry.Unit.valueOf(option.toUpperCase(Locale.ROOT)), args.bytes(++j));
            }
        }
        return new StringOptions(nx, xx, get, keepTtl, persist, time);
    }

    /** Whether a SET with these options must read the key before it writes (else it is a plain set). */
    boolean reads() {
        return nx || xx || get || keepTtl;
    }
}
