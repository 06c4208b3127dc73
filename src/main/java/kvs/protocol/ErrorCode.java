package kvs.protocol;

/** The error codes of DESIGN §5, as they appear on the wire. */
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
    NOT_LEADER("not_leader");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The code as sent in a response's {@code code} field. */
    public String wireName() {
        return wireName;
    }
}
