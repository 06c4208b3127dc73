package kvs.session;

/** Why a server turns a connection away at once (README.md, "Running it safely"); each protocol says it its own way. */
public enum Refusal {
    /** {@code --max-clients} connections are open. */
    MAX_CLIENTS("max number of clients reached"),
    /** Protected mode, no password, and the client is not on the loopback interface. */
    PROTECTED_MODE("kvs-server is running in protected mode because protected mode is enabled and no password is set."
            + " In this mode connections are only accepted from the loopback interface. To connect from other"
            + " computers, either set a password (--password-file FILE or the KVS_PASSWORD environment variable),"
            + " or, if the server cannot be reached from the internet, restart it with '--protected-mode no'.");

    private final String message;

    Refusal(String message) {
        this.message = message;
    }

    /** What the client is told. */
    public String message() {
        return message;
    }
}
