package kvs.resp;

/**
 * A request that breaks the RESP framing. Redis answers {@code -ERR Protocol error: <message>}
 * and closes the connection; kvs does the same.
 */
public final class RespProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    public RespProtocolException(String message) {
        super(message, null, false, false);
    }

    /** The error line Redis sends before it closes the connection, without the trailing CRLF. */
    public String reply() {
        return "-ERR Protocol error: " + getMessage();
    }
}
