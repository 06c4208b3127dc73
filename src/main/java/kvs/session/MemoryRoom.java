package kvs.session;

/**
 * Room in the server's budget for what requests hold in memory, shared by every connection (the
 * same budget as large frames being received): a session reserves what it keeps between requests,
 * a transaction's queued commands, and gives it back when it lets go. Not API.
 */
public interface MemoryRoom {

    /** Reserves {@code bytes} without waiting; false if the budget has no room for them now. */
    boolean reserve(long bytes);

    /** Gives back {@code bytes} that {@link #reserve} reserved. */
    void release(long bytes);

    /** A room without limit (a session tested alone). */
    MemoryRoom UNLIMITED = new MemoryRoom() {
        @Override
        public boolean reserve(long bytes) {
            return true;
        }

        @Override
        public void release(long bytes) {
        }
    };
}
