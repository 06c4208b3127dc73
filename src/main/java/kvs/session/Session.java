package kvs.session;

import java.io.IOException;

/**
 * One connection's side of a {@link Protocol}: takes whole requests out of the bytes received,
 * answers them in batches, and buffers the replies until the connection sends them. Used by one
 * thread. The connection owns the socket, the timeouts and the buffer; the session owns the
 * meaning of the bytes. Not API.
 */
public interface Session extends AutoCloseable {

    /** What {@link #answer()} leaves to do. */
    enum Step {
        /** A part of the batch is answered: send it and call again. */
        MORE,
        /** The batch is answered. */
        DONE,
        /** The batch is answered and the connection is to close once the replies are sent. */
        CLOSE
    }

    /**
     * Takes the whole requests at the start of {@code buf[off, off + len)}, up to a full batch, or
     * up to a request that ends the connection (a protocol error, answered then closed).
     *
     * @return the bytes taken
     */
    int take(byte[] buf, int off, int len);

    /**
     * After {@link #take} stopped at a request not all received: how many bytes from its start are
     * known to be needed, more than were offered.
     */
    long needed();

    /** Whether requests wait to be answered. */
    boolean hasRequests();

    /** Answers the requests taken, or a part of them; the replies are buffered. */
    Step answer() throws IOException;

    /** Sends the buffered replies. */
    void send() throws IOException;

    /** The connection has ended, whatever the reason: lets go of what the session holds for its client. */
    default void close() {
    }
}
