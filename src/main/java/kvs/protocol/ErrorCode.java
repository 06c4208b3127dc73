package kvs.protocol;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.MovedException;
import kvs.NotLeaderException;
import kvs.UnavailableException;
import kvs.store.Refusal;

/**
 * The error codes of docs/PROTOCOL.md, as they appear on the wire, and the one table between them
 * and the exceptions the library throws: the server answers an exception with its code
 * ({@link #of}), a client throws a code's exception ({@link #exception}).
 */
public enum ErrorCode {
    /** {@code rm} of an absent key. */
    KEY_NOT_FOUND("key_not_found"),
    /** A well-formed CBOR item that is not a valid request. */
    BAD_REQUEST("bad_request"),
    /** A frame body that is not exactly one well-formed CBOR item. */
    MALFORMED("malformed"),
    /** A frame, or a response, above the maximum frame size. */
    TOO_LARGE("too_large"),
    /** The server failed (an I/O error in the engine, say). */
    INTERNAL("internal"),
    /** The client has not authenticated, gave a wrong password, or may not connect (protected mode). */
    UNAUTHORIZED("unauthorized"),
    /** The server cannot serve the request now (the client limit; a replicated group without a leader); retriable. */
    UNAVAILABLE("unavailable"),
    /** A write to a member of a replicated group that is not its leader; the error names the leader when known. */
    NOT_LEADER("not_leader"),
    /**
     * A key whose hash slot another process serves, in a sharded cluster; the error names it, the
     * slot's shard's leader ({@code "leader"}), and its message starts {@code slot N }.
     */
    MOVED("moved");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The code as sent in a response's {@code code} field. */
    public String wireName() {
        return wireName;
    }

    /** The code that answers a request that failed with {@code e}: a refusal or a bad argument is the request's fault, anything unknown the server's. */
    public static ErrorCode of(Exception e) {
        return switch (e) {
            case KeyNotFoundException k -> KEY_NOT_FOUND;
            case Refusal r -> BAD_REQUEST;
            case IllegalArgumentException i -> BAD_REQUEST;
            case NotLeaderException n -> NOT_LEADER;
            case MovedException m -> MOVED;
            case UnavailableException u -> UNAVAILABLE;
            default -> INTERNAL;
        };
    }

    /**
     * The exception a client throws for the error {@code code} (as sent: one this client does not
     * know is a KvsException with it) from {@code server}, with its message and, for
     * {@code not_leader}, the leader's address (null when unknown).
     */
    public static KvsException exception(String code, String message, String leader, String server) {
        if (code.equals(KEY_NOT_FOUND.wireName)) {
            return new KeyNotFoundException();
        }
        if (code.equals(NOT_LEADER.wireName)) {
            return new NotLeaderException(leader);
        }
        if (code.equals(MOVED.wireName) && leader != null) {
            return new MovedException(slotOf(message), leader, null);
        }
        if (code.equals(UNAVAILABLE.wireName)) {
            return new UnavailableException(server + " is unavailable: " + message);
        }
        return new KvsException("server error " + code + ": " + message);
    }

    /** The slot a {@code moved} error's message starts with ({@code slot N ...}), or -1. */
    private static int slotOf(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^slot (\\d{1,5}) ").matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
