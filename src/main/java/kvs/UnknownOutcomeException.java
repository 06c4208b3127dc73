package kvs;

/**
 * A write given up on (docs/CLUSTER.md): the group did not answer in time after the write may have
 * reached it, so it may or may not have been applied. Read the key to know; retrying it is safe
 * only with the same client id and sequence number. kvs-client exits 3 for it.
 */
public final class UnknownOutcomeException extends KvsException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the report of a write given up on.
     *
     * @param message which write, and why it was given up on
     * @param cause   the failure underneath (typically the last timeout)
     */
    public UnknownOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
