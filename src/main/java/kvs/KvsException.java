package kvs;

/** The root of every error the kvs library reports; it keeps its cause. */
public class KvsException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that says what went wrong.
     *
     * @param message what went wrong
     */
    public KvsException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it wraps.
     *
     * @param message what went wrong
     * @param cause   the failure underneath, kept for the stack trace
     */
    public KvsException(String message, Throwable cause) {
        super(message, cause);
    }
}
