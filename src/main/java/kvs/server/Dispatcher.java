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

    private final KvsEngine engine;
    private final GroupWriter writer;

    Dispatcher(KvsEngine engine) {
        this.engine = engine;
        this.writer = GroupWriter.of(engine);
    }

    /** Fills in the reply of every request of {@code batch}. */
    void execute(Batch batch) {
        for (int i = 0; i < batch.size; i++) {
            Request request = batch.requests[i];
            switch (request) {
                case null -> {
                } // a frame that did not decode: its error reply is there
                case Request.Get g -> {
                    writePending(batch);
                    batch.replies[i] = get(g.key());
                }
                case Request.Set s -> queue(batch, i, Write.set(s.key(), s.value()));
                case Request.Remove r -> queue(batch, i, Write.remove(r.key()));
            }
        }
        writePending(batch);
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
