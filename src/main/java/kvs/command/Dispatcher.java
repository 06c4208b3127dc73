package kvs.command;

import java.util.List;

import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.Write;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command layer both protocols share: executes a connection's {@link Ops} in order on the
 * {@link Store}, with the outcome of executing them one by one. Each run of writes goes to the
 * store as one group (one log write and, under {@code always}, one fsync), handed over before a
 * read or call that follows it, so that sees it. Never throws: every failure is an operation's
 * result.
 */
public final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Bytes of values read after which a batch is answered before the rest of it runs. */
    public static final int REPLY_BYTES = 64 << 10;

    private final Store store;
    private final Keyspace keyspace;

    public Dispatcher(Store store) {
        this.store = store;
        this.keyspace = Keyspace.of(store);
    }

    /** The store the operations run on. */
    public Store store() {
        return store;
    }

    /**
     * Executes the operations of {@code ops} from {@code from} on, in order, and stops early, at
     * the end of a request, once the values read reach {@value #REPLY_BYTES} bytes, so a batch of
     * reads of large values is answered in parts rather than held in memory whole.
     *
     * @return the index after the last operation executed (the end of a request, or of ops)
     */
    public int execute(Ops ops, int from) {
        long replyBytes = 0;
        int i = from;
        while (i < ops.size) {
            switch (ops.ops[i]) {
                case Ops.Read read -> {
                    writePending(ops);
                    try {
                        Bytes value;
                        if (read.withDeadline) {
                            Entry e = store.entry(read.key);
                            read.done(e);
                            value = e == null ? null : e.value();
                        } else {
                            value = store.get(read.key);
                            read.done(value);
                        }
                        replyBytes += value == null ? 0 : value.length();
                    } catch (KvsException | RuntimeException e) {
                        read.failed(logged("get", e));
                    }
                }
                case Ops.ReadAll read -> {
                    writePending(ops);
                    try {
                        List<Bytes> values = store.getAll(read.keys);
                        read.done(values);
                        for (Bytes v : values) {
                            replyBytes += v == null ? 0 : v.length();
                        }
                    } catch (KvsException | RuntimeException e) {
                        read.failed(logged("get", e));
                    }
                }
                case Ops.Writing w -> ops.pending.add(w.write());
                case Ops.Call<?> call -> {
                    writePending(ops);
                    call.run(keyspace);
                }
                case Ops.Nothing n -> {
                } // a request that did not decode, or was answered without the store
            }
            if (ops.ends[i++] && replyBytes >= REPLY_BYTES) {
                break;
            }
        }
        writePending(ops);
        return i;
    }

    /** Hands the run of queued writes to the store as one group; each outcome is on its Write. */
    private void writePending(Ops ops) {
        List<Write<?>> writes = ops.pending;
        if (writes.isEmpty()) {
            return;
        }
        try {
            store.writeAll(writes);
            for (Write<?> w : writes) {
                if (w.outcome() instanceof Outcome.Failed<?> f) {
                    logged("write", f.cause());
                }
            }
        } catch (RuntimeException e) {
            logged("write", e);
            KvsException failure = new KvsException(e.getMessage(), e);
            for (Write<?> w : writes) {
                if (w.outcome() == null) {
                    w.fail(failure);
                }
            }
        }
        writes.clear();
    }

    /** Logs a failure that is not the request's own fault (a refusal, a write sent to a follower); returns it. */
    static Exception logged(String what, Exception e) {
        if (!(e instanceof Refusal) && !(e instanceof NotLeaderException) && !(e instanceof IllegalArgumentException)) {
            log.error("{} failed", what, e);
        }
        return e;
    }
}
