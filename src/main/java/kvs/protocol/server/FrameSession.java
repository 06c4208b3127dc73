package kvs.protocol.server;

import java.io.IOException;

import kvs.command.Dispatcher;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Response;
import kvs.security.Guard;
import kvs.session.Link;
import kvs.session.RequestTally;
import kvs.session.ServerStats;
import kvs.session.Session;

/**
 * The kvs protocol's side of a connection (docs/PROTOCOL.md): every whole frame received is decoded in
 * place into the batch (the run of them by one parser), the batch is executed (a run of writes with one durability wait), and
 * the replies are encoded into one buffer sent with one write. A frame declaring more than the
 * maximum is answered with {@code too_large} and ends the connection, its body unread.
 */
final class FrameSession implements Session {

    /** The reply buffer's usual size. */
    private static final int BUFFER = 8 << 10;
    /** The largest frame accepted before the connection has authenticated (README.md, "Running it safely"). */
    static final int UNAUTHENTICATED_MAX_FRAME = 64 << 10;

    private final Dispatcher dispatcher;
    private final ServerStats stats;
    private final FrameOutput out;
    private final int maxFrame;
    private final Guard guard;
    private final Batch batch;
    private final RequestTally tally;
    /** Requests of the batch answered so far. */
    private int answered;
    private long needed;
    /** The too_large reply that ends the connection once the batch before it is answered; null until then. */
    private Response closing;
    /** When the batch was taken, by {@link ServerStats#now}. */
    private long takenAt;

    FrameSession(Link link) {
        this.dispatcher = link.dispatcher();
        this.stats = link.stats();
        this.maxFrame = link.maxFrame();
        this.guard = link.guard();
        this.batch = new Batch(guard, stats::snapshot, dispatcher.store());
        this.tally = new RequestTally(stats);
        this.out = new FrameOutput(link.out(), BUFFER, maxFrame);
    }

    @Override
    public int take(byte[] buf, int off, int len) {
        int p = off;
        int end = off + len;
        // Whole frames from runStart, decoded together once all are found; before the guard opens,
        // each is decoded as it is found: an auth among them opens it for the frames after it.
        int runStart = off;
        int frames = 0;
        while (batch.size() + frames < Batch.MAX && closing == null) {
            if (end - p < Frames.HEADER) {
                needed = Frames.HEADER;
                break;
            }
            long declared = Frames.length(buf, p);
            if (!guard.open() && declared > Math.min(maxFrame, UNAUTHENTICATED_MAX_FRAME)) {
                closing = new Response.Error(ErrorCode.TOO_LARGE, "a frame of " + declared
                        + " bytes is above the maximum of " + UNAUTHENTICATED_MAX_FRAME + " before authentication");
                break;
            }
            try {
                Frames.checkLength(declared, maxFrame);
            } catch (ProtocolException e) {
                closing = new Response.Error(e.code(), e.getMessage());
                break;
            }
            if (end - p - Frames.HEADER < declared) {
                needed = Frames.HEADER + declared;
                break;
            }
            int start = p;
            p += Frames.HEADER + (int) declared;
            if (guard.open()) {
                frames++;
            } else {
                batch.addFrames(buf, start, 1);
                runStart = p;
            }
        }
        if (frames > 0) {
            batch.addFrames(buf, runStart, frames);
        }
        if (p > off && answered == 0) {
            takenAt = stats.now();
        }
        return p - off;
    }

    @Override
    public long needed() {
        return needed;
    }

    @Override
    public boolean hasRequests() {
        return !batch.isEmpty() || closing != null;
    }

    @Override
    public Step answer() throws IOException {
        if (answered < batch.size()) {
            int to = dispatcher.execute(batch.ops, answered);
            for (int i = answered; i < to; i++) {
                Response reply = batch.reply(i);
                out.write(reply);
                count(batch.kind(i), reply);
            }
            batch.ops.forget(answered, to);
            stats.commandsAnswered(to - answered);
            tally.flush();
            answered = to;
            if (answered < batch.size()) {
                return Step.MORE;
            }
        }
        batch.clear();
        answered = 0;
        if (closing != null) {
            out.write(closing);
            count(null, closing);
            return Step.CLOSE;
        }
        return Step.DONE;
    }

    private void count(String kind, Response reply) {
        if (kind != null) {
            tally.add(kind, takenAt);
        }
        if (reply instanceof Response.Error e) {
            stats.error(e.code());
        }
    }

    @Override
    public void send() throws IOException {
        out.send();
    }
}
