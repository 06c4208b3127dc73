package kvs.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by one pool job, in batches: one read brings in what the client
 * has sent, every whole frame in it is answered in order (a run of writes with one durability
 * wait), and the replies leave with one write before the next read that may block. A frame that
 * has started arriving, and each chunk of a response being written, must make progress before
 * its deadline, which the server's watchdog enforces by closing the socket.
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
            serve(new FrameInput(socket.getInputStream(), BUFFER),
                    new FrameOutput(new WatchedOutput(socket.getOutputStream()), BUFFER, maxFrame));
        } catch (IOException e) {
            log.debug("{}: {}", peer, e.toString());
        } finally {
            onEnd.accept(this);
            log.debug("closed {}", peer);
        }
    }

    /**
     * Answers batches until the peer closes: every frame whole in the buffer is decoded in place
     * and executed as one batch, its replies appended to the output; the output is sent before
     * any read that may block. A frame larger than the buffer is read on its own.
     */
    private void serve(FrameInput in, FrameOutput out) throws IOException {
        Batch batch = new Batch();
        long sliceStart = System.nanoTime();
        // When the first byte of the frame not yet whole arrived; 0 when none is begun.
        long frameStart = 0;
        while (true) {
            long declared = takeWholeFrames(in, batch);
            if (!batch.isEmpty()) {
                frameStart = 0;
                for (int from = 0; from < batch.size; ) {
                    int to = dispatcher.execute(batch, from);
                    for (int i = from; i < to; i++) {
                        out.write(batch.replies[i]);
                        batch.replies[i] = null;
                    }
                    if (to < batch.size) {
                        out.send(); // a part of the batch with large replies: they go before the rest is read
                    }
                    from = to;
                    long now = System.nanoTime();
                    if (now - sliceStart > SLICE_NANOS) {
                        // Virtual threads are not time-sliced: a client that always has requests waiting
                        // would keep a carrier thread from every other connection.
                        Thread.yield();
                        sliceStart = now;
                    }
                }
                batch.clear();
                continue;
            }
            out.send(); // everything buffered is answered: the replies go before any read that may block
            if (in.buffered() == 0) {
                // Connections with work run first: this client's next request may come meanwhile,
                // and a read that finds it does not park (no poller wake-up). Alone, it returns at once.
                Thread.yield();
                if (!goIdle()) {
                    return;
                }
                boolean more = in.fill(); // between frames, no deadline
                endIdle();
                if (!more) {
                    return;
                }
                sliceStart = in.lastFill(); // it may have parked: its slice starts again
                continue;
            }
            if (frameStart == 0) {
                frameStart = in.lastFill(); // the frame's first byte came with the last read: its timeout runs from there
            }
            try {
                Frames.checkLength(declared, maxFrame);
            } catch (ProtocolException e) { // too_large: answer, then close without reading the body
                out.write(new Response.Error(e.code(), e.getMessage()));
                out.send();
                return;
            }
            deadline = frameStart + timeoutNanos;
            try {
                if (declared < 0 || in.fits((int) declared)) {
                    if (!in.fill()) { // the peer ended inside a frame: the whole ones before it are answered
                        log.debug("{}: the stream ended inside a frame", socket.getRemoteSocketAddress());
                        return;
                    }
                } else {
                    readLarge(in, (int) declared, frameStart, batch);
                    frameStart = 0;
                }
            } finally {
                deadline = 0;
            }
        }
    }

    /**
     * Decodes into {@code batch} every frame whole in the buffer, up to a full batch.
     *
     * @return the length the first frame not taken declares, or -1 if its prefix is not all there
     */
    private long takeWholeFrames(FrameInput in, Batch batch) {
        while (!batch.isFull()) {
            long declared = in.declaredLength();
            if (declared < 0 || declared > maxFrame || !in.fits((int) declared) || !in.hasWhole((int) declared)) {
                return declared;
            }
            int length = (int) declared;
            batch.addFrame(in.array(), in.bodyOffset(), length);
            in.skip(length);
        }
        return in.declaredLength();
    }

    /** Reads a frame too large for the buffer, within the room the budget gives it, and adds it to the batch. */
    private void readLarge(FrameInput in, int length, long start, Batch batch) throws IOException {
        int reserved = reserve(length, start);
        if (reserved < 0) {
            throw new EOFException("no room for a frame of " + length + " bytes within the timeout");
        }
        try {
            byte[] body = in.readLarge(length);
            batch.addFrame(body, 0, length);
        } finally {
            budget.release(reserved);
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
     * waiting for a new frame, with nothing unread in the kernel, has its input shut down, since
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
