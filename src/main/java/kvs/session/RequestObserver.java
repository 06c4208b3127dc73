package kvs.session;

/** Told how long each request took, from the moment its batch was taken to its reply (for metrics). Not API. */
@FunctionalInterface
public interface RequestObserver {

    /**
     * Called once a request of {@code kind} (the kvs protocol's op, or RESP's command name) is
     * answered, {@code nanos} after its batch was taken; from the connection's thread, so it must be quick.
     */
    void observe(String kind, long nanos);
}
