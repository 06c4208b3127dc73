package kvs.cluster;

import kvs.KvsException;

/** The group cannot serve the request now: no leader, or no answer in time (DESIGN §11: {@code unavailable}); retriable. */
public final class UnavailableException extends KvsException {

    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
