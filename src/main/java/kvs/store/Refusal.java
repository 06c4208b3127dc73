package kvs.store;

/**
 * A request refused as it stands, nothing written: the request's own fault (a key too long, an
 * INCR of a word), not the store's. A {@link Transaction} throws it to refuse; the store records
 * it as the write's {@link Outcome.Refused}, and the protocols answer it as an error reply.
 */
public class Refusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A refusal that says, in {@code message}, what was wrong with the request.
     *
     * @param message what was wrong with the request, as the client is told
     */
    public Refusal(String message) {
        super(message, null, false, false); // control flow, not a fault: no stack trace
    }
}
