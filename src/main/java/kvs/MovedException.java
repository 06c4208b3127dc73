package kvs;

/**
 * A request for a key whose slot another process serves, in a sharded cluster (docs/CLUSTER.md:
 * {@code moved}): nothing was read or written here. Send it to {@link #address()}, and ask that
 * process for the cluster's slot map to send the slot's next requests there at once.
 */
public final class MovedException extends KvsException {

    private static final long serialVersionUID = 1L;

    /** The key's hash slot. */
    private final int slot;
    /** The kvs protocol address of the process that serves the slot. */
    private final String address;
    /** Its RESP address, or null on a client. */
    private final String respAddress;

    /**
     * Creates the redirection of a request for a key of {@code slot}.
     *
     * @param slot        the key's hash slot, 0 to 16383
     * @param address     the kvs protocol address (HOST:PORT) of the process that serves it
     * @param respAddress its RESP address (HOST:PORT), or null when it is not known (a client)
     */
    public MovedException(int slot, String address, String respAddress) {
        super("slot " + slot + " is served by " + address);
        this.slot = slot;
        this.address = address;
        this.respAddress = respAddress;
    }

    /**
     * The key's hash slot.
     *
     * @return 0 to 16383
     */
    public int slot() {
        return slot;
    }

    /**
     * Where the slot is served, for the kvs protocol.
     *
     * @return HOST:PORT ({@code [::1]:4000} for IPv6)
     */
    public String address() {
        return address;
    }

    /**
     * Where the slot is served, for RESP; null on a client, which learns the kvs address only.
     *
     * @return HOST:PORT, or null
     */
    public String respAddress() {
        return respAddress;
    }
}
