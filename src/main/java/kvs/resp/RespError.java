package kvs.resp;

import java.nio.charset.StandardCharsets;

import kvs.store.Refusal;

/**
 * A command's error reply, the whole line after the '-' as Redis writes it, e.g.
 * {@code ERR syntax error}. A {@link Refusal}, so a transaction can refuse with it and the store
 * records it as the write's outcome. A line that quotes a client's argument holds its
 * bytes as they came (Redis echoes them unchanged): see {@link #quoting}.
 */
final class RespError extends Refusal {

    private static final long serialVersionUID = 1L;

    static final RespError SYNTAX = new RespError("ERR syntax error");
    static final RespError NOT_INTEGER = new RespError("ERR value is not an integer or out of range");
    static final RespError NOT_FLOAT = new RespError("ERR value is not a valid float");
    static final RespError OVERFLOW = new RespError("ERR increment or decrement would overflow");
    static final RespError TOO_LONG = new RespError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    /** The line's bytes: UTF-8, or each char one byte for a line that quotes arguments. */
    private final transient byte[] line;

    RespError(String line) {
        this(line, line.getBytes(StandardCharsets.UTF_8));
    }

    private RespError(String message, byte[] line) {
        super(message);
        this.line = line;
    }

    /** An error line that quotes arguments read as {@link Args#raw}, each char one byte of the client's. */
    static RespError quoting(String latin1) {
        return new RespError(latin1, latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The line to send after the '-'. */
    byte[] line() {
        return line;
    }

    static RespError arity(String command) {
        return new RespError("ERR wrong number of arguments for '" + command + "' command");
    }
}
