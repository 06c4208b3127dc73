package kvs.server;

import java.util.List;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.GroupWriter;
import kvs.internal.Write;
import kvs.protocol.ErrorCode;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes a connection's batch of requests in order, with the outcome of executing them one
 * by one: each run of writes goes to the engine as one group (one log write and, under
 * {@code always}, one fsync), handed over before a read that follows it, so the read sees it.
 * Never throws: every failure is a request's error reply.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Characters of values read after which a batch is answered before the rest of it runs. */
    static final int REPLY_CHARS = 64 << 10;

    private final KvsEngine engine;
    private final GroupWriter writer;

    Dispatcher(KvsEngine engine) {
        this.engine = engine;
        this.writer = GroupWriter.of(engine);
    }

    /**
     * Fills in the replies of the requests of {@code batch} from {@code from} on, in order, and
     * stops early once the values read reach {@value #REPLY_CHARS} characters, so a batch of
     * gets of large values is answered in parts rather than held in memory whole.
     *
     * @return the index after the last request answered (more than {@code from} when there is one)
     */
    int execute(Batch batch, int from) {
        long replyChars = 0;
        int i = from;
        while (i < batch.size && replyChars < REPLY_CHARS) {
            switch (batch.requests[i]) {
                case null -> {
                } // a frame that did not decode: its error reply is there
                case Request.Get g -> {
                    writePending(batch);
                    Response reply = get(g.key());
                    batch.replies[i] = reply;
                    if (reply instanceof Response.Value(String v) && v != null) {
                        replyChars += v.length();
                    }
                }
                case Request.Set s -> queue(batch, i, Write.set(s.key(), s.value()));
                case Request.Remove r -> queue(batch, i, Write.remove(r.key()));
            }
            i++;
        }
        writePending(batch);
        return i;
    }

    private static void queue(Batch batch, int slot, Write w) {
        batch.writeSlots[batch.writes.size()] = slot;
        batch.writes.add(w);
    }

    private Response get(String key) {
        try {
            return new Response.Value(engine.get(key).orElse(null));
        } catch (KvsException | RuntimeException e) {
            return failed("get", e);
        }
    }

    /** Hands the batch's queued writes to the engine as one group and fills in their replies. */
    private void writePending(Batch batch) {
        List<Write> writes = batch.writes;
        if (writes.isEmpty()) {
            return;
        }
        try {
            writer.writeAll(writes);
            for (int j = 0; j < writes.size(); j++) {
                Exception failure = writes.get(j).failure();
                batch.replies[batch.writeSlots[j]] = failure == null ? Response.Ok.INSTANCE : failed("write", failure);
            }
        } catch (RuntimeException e) {
            Response reply = failed("write", e);
            for (int j = 0; j < writes.size(); j++) {
                batch.replies[batch.writeSlots[j]] = reply;
            }
        }
        writes.clear();
    }

    private static Response failed(String what, Exception e) {
        if (e instanceof KeyNotFoundException) {
            return new Response.Error(ErrorCode.KEY_NOT_FOUND, e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return new Response.Error(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        log.error("{} failed", what, e);
        return new Response.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
    }
}
