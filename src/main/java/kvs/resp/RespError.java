package kvs.resp;

/**
 * A command's error reply, the whole line after the '-' as Redis writes it, e.g.
 * {@code ERR syntax error}. An IllegalArgumentException so a transaction can refuse with it and
 * the engine records it as the write's outcome.
 */
final class RespError extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    static final RespError SYNTAX = new RespError("ERR syntax error");
    static final RespError NOT_INTEGER = new RespError("ERR value is not an integer or out of range");
    static final RespError NOT_FLOAT = new RespError("ERR value is not a valid float");
    static final RespError OVERFLOW = new RespError("ERR increment or decrement would overflow");
    static final RespError TOO_LONG = new RespError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    static final RespError NOT_UTF8 = new RespError("ERR kvs stores UTF-8 text; the argument is not valid UTF-8");
    static final RespError NO_EXPIRY = new RespError(
            "ERR kvs does not support key expiry (EX, PX, EXAT, PXAT, KEEPTTL, EXPIRE, TTL and the like)");
    static final RespError NO_MULTI = new RespError("ERR kvs does not support MULTI/EXEC transactions");

    RespError(String line) {
        super(line);
    }

    /** A reply, not a fault: no stack trace (and the shared instances carry none of one caller's). */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    static RespError arity(String command) {
        return new RespError("ERR wrong number of arguments for '" + command + "' command");
    }
}
