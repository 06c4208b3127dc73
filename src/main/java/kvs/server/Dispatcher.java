package kvs.server;

import java.util.List;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.internal.GroupWriter;
import kvs.internal.KeySpace;
import kvs.internal.Write;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command layer both protocols share: executes a connection's {@link Ops} in order, with the
 * outcome of executing them one by one. Each run of writes goes to the engine as one group (one
 * log write and, under {@code always}, one fsync), handed over before a read or call that follows
 * it, so that sees it. Never throws: every failure is an operation's result. Not API.
 */
public final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Characters of values read after which a batch is answered before the rest of it runs. */
    static final int REPLY_CHARS = 64 << 10;

    private final KvsEngine engine;
    private final GroupWriter writer;

    public Dispatcher(KvsEngine engine) {
        this.engine = engine;
        this.writer = GroupWriter.of(engine);
    }

    /** The engine's keys, or null when it cannot list them. */
    public KeySpace keySpace() {
        return KeySpace.of(engine);
    }

    /**
     * Executes the operations of {@code ops} from {@code from} on, in order, and stops early, at
     * the end of a request, once the values read reach {@value #REPLY_CHARS} characters, so a
     * batch of reads of large values is answered in parts rather than held in memory whole.
     *
     * @return the index after the last operation executed (the end of a request, or of ops)
     */
    public int execute(Ops ops, int from) {
        long replyChars = 0;
        int i = from;
        while (i < ops.size) {
            switch (ops.kinds[i]) {
                case Ops.READ -> {
                    writePending(ops);
                    String key = (String) ops.args[i];
                    try {
                        String value = engine.get(key).orElse(null);
                        ops.results[i] = value;
                        replyChars += value == null ? 0 : value.length();
                    } catch (KvsException | RuntimeException e) {
                        ops.results[i] = logged("get", e);
                    }
                }
                case Ops.WRITE -> ops.pending.add((Write) ops.args[i]);
                case Ops.CALL -> {
                    writePending(ops);
                    try {
                        ops.results[i] = ((Ops.Call) ops.args[i]).run();
                    } catch (KvsException | RuntimeException e) {
                        ops.results[i] = logged("call", e);
                    }
                }
                default -> {
                } // nothing: a request that did not decode
            }
            if (ops.ends[i++] && replyChars >= REPLY_CHARS) {
                break;
            }
        }
        writePending(ops);
        return i;
    }

    /** Hands the run of queued writes to the engine as one group; each outcome is on its Write. */
    private void writePending(Ops ops) {
        List<Write> writes = ops.pending;
        if (writes.isEmpty()) {
            return;
        }
        try {
            writer.writeAll(writes);
            for (Write w : writes) {
                if (w.failure() != null) {
                    logged("write", w.failure());
                }
            }
        } catch (RuntimeException e) {
            logged("write", e);
            for (Write w : writes) {
                w.fail(e);
            }
        }
        writes.clear();
    }

    /** Logs a failure that is not the request's own fault (an absent key, a value refused, a write sent to a follower); returns it. */
    private static Exception logged(String what, Exception e) {
        if (!(e instanceof KeyNotFoundException) && !(e instanceof IllegalArgumentException) && !(e instanceof NotLeaderException)) {
            log.error("{} failed", what, e);
        }
        return e;
    }
}
