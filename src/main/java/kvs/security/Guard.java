package kvs.security;

/**
 * One connection's gate (README.md, "Running it safely"): closed until the client gives the password, open from the
 * start when none is set. Used by its connection's thread only.
 */
public final class Guard {

    private final Access access;
    private final Object peer;
    private boolean open;

    Guard(Access access, Object peer) {
        this.access = access;
        this.peer = peer;
        this.open = !access.passwordSet();
    }

    /**
     * Whether the client may make any request.
     *
     * @return whether the client has authenticated, or needs not
     */
    public boolean open() {
        return open;
    }

    /**
     * Whether a password is set, so that authenticating means anything.
     *
     * @return whether a password is set
     */
    public boolean passwordSet() {
        return access.passwordSet();
    }

    /**
     * Checks {@code guess} (UTF-8) against the password, in constant time; opens the gate if it
     * is right. A wrong guess leaves an open gate open, as Redis does.
     *
     * @param guess the password the client gave, in UTF-8
     * @return whether the guess is right
     */
    public boolean authenticate(byte[] guess) {
        boolean right = access.check(guess, peer);
        open |= right;
        return right;
    }
}
