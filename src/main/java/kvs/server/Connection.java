package kvs.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import kvs.command.Dispatcher;
import kvs.security.Access;
import kvs.security.Tls;
import kvs.session.Link;
import kvs.session.Protocol;
import kvs.session.Refusal;
import kvs.session.ServerStats;
import kvs.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by one pool job, in batches: one read brings in what the client
 * has sent, its {@link Session} takes every whole request in it and answers them in order, and
 * the replies leave with one write before the next read that may block. The connection is about
 * bytes, batches and time; what the bytes mean is the session's. A request that has started
 * arriving, and each chunk of a reply being written, must make progress before its deadline,
 * which the server's watchdog enforces by closing the socket. Over TLS the handshake runs first,
 * under the same deadline; a connection the server turns away is told why and closed.
 */
final class Connection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /**
     * Input buffer size: room for a pipelined batch of ordinary requests (a larger request grows
     * it for as long as it is there), small enough that 10,000 idle connections cost little.
     */
    private static final int BUFFER = 8 << 10;
    /** The largest request a buffer can grow to hold, whatever the protocol declares. */
    private static final int MAX_REQUEST = Integer.MAX_VALUE - 64;
    /** How long a connection runs without waiting for input, requests always buffered, before it lets others run. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a refused connection waits for its client to close after reading why (so the refusal is not lost to a reset). */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Socket socket;
    private final long clientId;
    private final Protocol protocol;
    private final Dispatcher dispatcher;
    private final ServerStats stats;
    private final Access access;
    /** TLS to layer on the socket; null for plain TCP. */
    private final Tls tls;
    /** Why the connection is turned away at once; null when it is served. */
    private final Refusal refusal;
    private final FrameBudget budget;
    private final int maxFrame;
    private final long timeoutNanos;
    /** Told when this connection has ended. */
    private final Consumer<Connection> onEnd;
    /** Guarded by this: blocked, or about to block, waiting for a new request. */
    private boolean idle;
    /** Guarded by this: the server is closing. */
    private boolean draining;
    /** System.nanoTime() by which the current read or write must finish; 0 while idle. */
    private volatile long deadline;

    Connection(Socket socket, long clientId, Refusal refusal, Protocol protocol, Dispatcher dispatcher,
               ServerStats stats, Access access, Tls tls, FrameBudget budget, int maxFrame, long timeoutNanos,
               Consumer<Connection> onEnd) {
        this.socket = socket;
        this.clientId = clientId;
        this.refusal = refusal;
        this.protocol = protocol;
        this.dispatcher = dispatcher;
        this.stats = stats;
        this.access = access;
        this.tls = tls;
        this.budget = budget;
        this.maxFrame = maxFrame;
        this.timeoutNanos = timeoutNanos;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        log.debug("accepted {}", peer);
        try (socket) {
            socket.setTcpNoDelay(true);
            Socket io = tls == null ? socket : handshake(tls.serverSide(socket));
            if (io == null) {
                return;
            }
            try {
                if (refusal != null) {
                    refuse(io);
                    return;
                }
                Link link = new Link(new WatchedOutput(io.getOutputStream()), dispatcher, maxFrame, clientId,
                        socket.getRemoteSocketAddress(), socket.getLocalSocketAddress(), stats, access.guard(peer), budget);
                try (Session session = protocol.open(link)) {
                    serve(new Input(io.getInputStream(), BUFFER), session);
                }
            } finally {
                if (io != socket) {
                    closeWithinTimeout(io);
                }
            }
        } catch (IOException e) {
            log.debug("{}: {}", peer, e.toString());
        } finally {
            if (refusal == null) {
                stats.disconnected();
            }
            onEnd.accept(this);
            log.debug("closed {}", peer);
        }
    }

    /**
     * Answers batches until the peer closes: the session takes every request whole in the buffer
     * and answers them as one batch; the replies are sent before any read that may block. The
     * buffer grows, within the server's budget for large requests, for a request larger than it.
     */
    private void serve(Input in, Session session) throws IOException {
        long sliceStart = System.nanoTime();
        // When the first byte of the request not yet whole arrived; 0 when none is begun.
        long requestStart = 0;
        // Room the budget gave the buffer for a large request.
        int reserved = 0;
        try {
            while (true) {
                in.skip(session.take(in.array(), in.position(), in.buffered()));
                if (session.hasRequests()) {
                    requestStart = 0;
                    Session.Step step;
                    while ((step = session.answer()) == Session.Step.MORE) {
                        session.send(); // a part of the batch with large replies: they go before the rest is read
                        sliceStart = yieldIfSliceUsed(sliceStart);
                    }
                    if (step == Session.Step.CLOSE) {
                        session.send();
                        return;
                    }
                    sliceStart = yieldIfSliceUsed(sliceStart);
                    if (reserved > 0 && in.shrink()) {
                        budget.release(reserved);
                        reserved = 0;
                    }
                    continue;
                }
                session.send(); // everything buffered is answered: the replies go before any read that may block
                if (in.buffered() == 0) {
                    // Connections with work run first: this client's next request may come meanwhile,
                    // and a read that finds it does not park (no poller wake-up). Alone, it returns at once.
                    Thread.yield();
                    if (!goIdle()) {
                        return;
                    }
                    boolean more = in.fill(); // between requests, no deadline
                    endIdle();
                    if (!more) {
                        return;
                    }
                    sliceStart = in.lastFill(); // it may have parked: its slice starts again
                    continue;
                }
                if (requestStart == 0) {
                    requestStart = in.lastFill(); // the request's first byte came with the last read: its timeout runs from there
                }
                long needed = session.needed();
                if (needed > in.capacity()) {
                    // At least double: a protocol may only know a lower bound (a line not ended yet).
                    long size = Math.max(needed, Math.min(2L * in.capacity(), (long) maxFrame + FrameBudget.SMALL));
                    budget.release(reserved);
                    reserved = reserve(size, requestStart);
                    if (reserved < 0) {
                        reserved = 0; // nothing to give back
                        return;
                    }
                    in.growTo((int) size);
                }
                deadline = requestStart + timeoutNanos;
                try {
                    if (!in.fill()) { // the peer ended inside a request: the whole ones before it are answered
                        log.debug("{}: the stream ended inside a request", socket.getRemoteSocketAddress());
                        return;
                    }
                } finally {
                    deadline = 0;
                }
            }
        } finally {
            budget.release(reserved);
        }
    }

    /** Runs the TLS handshake within the read timeout; null (counted, logged at debug) if it fails. */
    private SSLSocket handshake(SSLSocket tlsSocket) throws IOException {
        deadline = System.nanoTime() + timeoutNanos;
        try {
            tlsSocket.startHandshake();
            return tlsSocket;
        } catch (SSLException e) {
            stats.error("tls_handshake");
            log.debug("{}: TLS handshake failed: {}", socket.getRemoteSocketAddress(), e.toString());
            return null;
        } finally {
            deadline = 0;
        }
    }

    /** Closes the TLS socket (its close_notify) within the timeout: the watchdog closes the plain socket under it if not. */
    private void closeWithinTimeout(Socket tlsSocket) {
        deadline = System.nanoTime() + timeoutNanos;
        try {
            tlsSocket.close();
        } catch (IOException e) {
            log.debug("{}: closing TLS: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            deadline = 0;
        }
    }

    /**
     * Tells the client why it is turned away, then waits a little for it to close: closing with its
     * request unread would reset the connection, and the client might never read why.
     */
    private void refuse(Socket io) throws IOException {
        log.debug("{}: refused: {}", socket.getRemoteSocketAddress(), refusal.name().toLowerCase(java.util.Locale.ROOT));
        new WatchedOutput(io.getOutputStream()).write(protocol.refusal(refusal));
        io.shutdownOutput();
        deadline = System.nanoTime() + Math.min(timeoutNanos, LINGER_NANOS);
        try {
            io.getInputStream().skip(Long.MAX_VALUE); // until the client closes, or the watchdog does
        } finally {
            deadline = 0;
        }
    }

    /** Virtual threads are not time-sliced: a client that always has requests waiting would keep a carrier from every other connection. */
    private static long yieldIfSliceUsed(long sliceStart) {
        long now = System.nanoTime();
        if (now - sliceStart > SLICE_NANOS) {
            Thread.yield();
            return now;
        }
        return sliceStart;
    }

    /** Room for a request of {@code length} bytes, within what is left of its read timeout; -1 (the connection is to end) if none came. */
    private int reserve(long length, long start) throws IOException {
        if (length > MAX_REQUEST) {
            log.debug("{}: a request of {} bytes is more than a buffer can hold; closing",
                    socket.getRemoteSocketAddress(), length);
            return -1;
        }
        try {
            int reserved = budget.reserve((int) length, timeoutNanos - (System.nanoTime() - start));
            if (reserved < 0) {
                log.debug("{}: no room for a request of {} bytes within the timeout; closing",
                        socket.getRemoteSocketAddress(), length);
            }
            return reserved;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for room for a request");
        }
    }

    /**
     * Marks the connection idle before a read that may block; false if the server is closing and
     * nothing more has been received, so the connection should end. The lock makes this and
     * {@link #drain()} see each other: either the connection ends by itself or drain() ends its read.
     */
    private synchronized boolean goIdle() throws IOException {
        if (draining && socket.getInputStream().available() == 0) {
            return false;
        }
        idle = true;
        return true;
    }

    private synchronized void endIdle() {
        idle = false;
    }

    /**
     * Called by the server's close(): requests already received (buffered here or by the
     * kernel) are still read and answered, then the connection ends. Only a connection blocked
     * waiting for a new request, with nothing unread in the kernel, has its input shut down, since
     * that discards unread input.
     */
    synchronized void drain() {
        draining = true;
        if (idle) {
            try {
                // What the kernel holds was sent before the close: it is read and answered first,
                // and the connection ends when it next finds nothing (goIdle).
                if (socket.getInputStream().available() == 0) {
                    socket.shutdownInput();
                }
            } catch (IOException e) {
                closeQuietly(); // already broken
            }
        }
    }

    /** Called by the watchdog: closes the connection if a read or write has overrun its deadline. */
    void closeIfStalled(long now) {
        long d = deadline;
        if (d != 0 && now - d > 0) {
            log.debug("{}: no progress within the timeout; closing", socket.getRemoteSocketAddress());
            closeQuietly();
        }
    }

    void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", socket.getRemoteSocketAddress(), e.toString());
        }
    }

    /** Socket output written in chunks, each with its own deadline, so a reader that stops reading is cut off. */
    private final class WatchedOutput extends OutputStream {
        private static final int CHUNK = 64 << 10;
        private final OutputStream out;

        WatchedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                for (int done = 0; done < len; done += CHUNK) {
                    deadline = System.nanoTime() + timeoutNanos;
                    out.write(b, off + done, Math.min(CHUNK, len - done));
                }
            } finally {
                deadline = 0;
            }
        }
    }
}
