package kvs;

/**
 * The server cannot serve the request now (docs/CLUSTER.md: {@code unavailable}): a replicated group
 * with no leader, or no answer in time. Retriable; a write that gets it may or may not have been
 * applied.
 */
public final class UnavailableException extends KvsException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the refusal.
     *
     * @param message why the request cannot be served now
     */
    public UnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the refusal with the failure that caused it.
     *
     * @param message why the request cannot be served now
     * @param cause   the failure underneath (a timeout, a lost connection)
     */
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
