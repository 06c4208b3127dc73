package kvs.protocol;

import java.io.IOException;

/** A frame or message that breaks the protocol; {@link #code()} is the error to answer it with. */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
