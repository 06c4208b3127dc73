package kvs.server;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by one pool job: frames are read and answered in order until
 * the peer closes, and responses are flushed whenever no more input is buffered (so a
 * pipelining client gets them in batches). A frame that has started arriving, and each chunk
 * of a response being written, must make progress before its deadline, which the server's
 * watchdog enforces by closing the socket.
 */
final class Connection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /**
     * Input and output buffer sizes: room for a pipelined batch of ordinary requests or replies
     * (larger frames bypass them), small enough that 10,000 idle connections cost little.
     */
    private static final int BUFFER = 8 << 10;
    /** How long a connection runs without waiting for input, requests always buffered, before it lets others run. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Socket socket;
    private final Dispatcher dispatcher;
    private final FrameBudget budget;
    private final int maxFrame;
    private final long timeoutNanos;
    /** Told when this connection has ended. */
    private final Consumer<Connection> onEnd;
    /** Guarded by this: blocked, or about to block, waiting for a new frame. */
    private boolean idle;
    /** Guarded by this: the server is closing. */
    private boolean draining;
    /** System.nanoTime() by which the current read or write must finish; 0 while idle. */
    private volatile long deadline;

    Connection(Socket socket, Dispatcher dispatcher, FrameBudget budget, int maxFrame, long timeoutNanos,
               Consumer<Connection> onEnd) {
        this.socket = socket;
        this.dispatcher = dispatcher;
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
            serve(new ConnectionInput(socket.getInputStream(), BUFFER),
                    new BufferedOutputStream(new WatchedOutput(socket.getOutputStream()), BUFFER));
        } catch (IOException e) {
            log.debug("{}: {}", peer, e.toString());
        } finally {
            onEnd.accept(this);
            log.debug("closed {}", peer);
        }
    }

    private void serve(ConnectionInput in, OutputStream out) throws IOException {
        long sliceStart = 0;
        while (true) {
            boolean mayWait = !in.hasBuffered();
            if (mayWait) {
                out.flush(); // no more input buffered: send what is answered
                if (!goIdle(in)) {
                    return;
                }
            }
            int first = in.read(); // between frames, no deadline
            endIdle();
            long now = System.nanoTime();
            if (mayWait) {
                sliceStart = now; // it may have parked: its slice starts again
            } else if (now - sliceStart > SLICE_NANOS) {
                // Virtual threads are not time-sliced: a client that always has requests waiting
                // would keep a carrier thread from every other connection.
                Thread.yield();
                sliceStart = now;
            }
            if (first < 0) {
                out.flush();
                return;
            }
            long start = now; // the frame's first byte has arrived: its timeout runs from here
            deadline = start + timeoutNanos;
            int reserved = 0;
            try {
                byte[] body;
                try {
                    int length = Frames.readLength(first, in, maxFrame);
                    reserved = reserve(length, start);
                    if (reserved < 0) {
                        out.flush();
                        return;
                    }
                    body = Frames.readBody(in, length);
                } catch (ProtocolException e) { // too_large: answer, then close without reading the body
                    Frames.write(out, Codec.encode(new Response.Error(e.code(), e.getMessage())));
                    out.flush();
                    return;
                } catch (EOFException e) { // the peer ended inside a frame: the whole ones before it are answered
                    log.debug("{}: {}", socket.getRemoteSocketAddress(), e.getMessage());
                    out.flush();
                    return;
                }
                deadline = 0;
                Frames.write(out, dispatcher.handle(body));
            } finally {
                deadline = 0;
                budget.release(reserved);
            }
        }
    }

    /** Room for a large frame, within what is left of its read timeout; -1 (the connection is to end) if none came. */
    private int reserve(int length, long start) throws IOException {
        try {
            int reserved = budget.reserve(length, timeoutNanos - (System.nanoTime() - start));
            if (reserved < 0) {
                log.debug("{}: no room for a frame of {} bytes within the timeout; closing",
                        socket.getRemoteSocketAddress(), length);
            }
            return reserved;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for room for a frame");
        }
    }

    /**
     * Marks the connection idle before a read that may block; false if the server is closing and
     * nothing more has been received, so the connection should end. The lock makes this and
     * {@link #drain()} see each other: either the connection ends by itself or drain() ends its read.
     */
    private synchronized boolean goIdle(InputStream in) throws IOException {
        if (draining && in.available() == 0) {
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
     * waiting for a new frame has its input shut down, since that discards unread input.
     */
    synchronized void drain() {
        draining = true;
        if (idle) {
            try {
                socket.shutdownInput();
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
