package kvs.command;

import java.util.ArrayList;
import java.util.List;

import kvs.KvsException;
import kvs.MovedException;
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
                        Store target = target(ops.slots[i]);
                        Bytes value;
                        if (read.withDeadline) {
                            Entry e = target.entry(read.key);
                            read.done(e);
                            value = e == null ? null : e.value();
                        } else {
                            value = target.get(read.key);
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
                        List<Bytes> values = target(ops.slots[i]).getAll(read.keys);
                        read.done(values);
                        for (Bytes v : values) {
                            replyBytes += v == null ? 0 : v.length();
                        }
                    } catch (KvsException | RuntimeException e) {
                        read.failed(logged("get", e));
                    }
                }
                case Ops.Writing w -> pend(ops, w.write(), ops.slots[i]);
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

    /** The store that runs an operation of hash slot {@code slot} ({@link Ops#NO_SLOT}: the store itself). */
    private Store target(int slot) throws MovedException {
        return slot == Ops.NO_SLOT ? store : store.forSlot(slot);
    }

    /** Queues {@code write} for the store that serves {@code slot}; one that another process serves fails at once. */
    private void pend(Ops ops, Write<?> write, int slot) {
        if (slot == Ops.NO_SLOT && ops.pendingStores.isEmpty()) {
            ops.pending.add(write);
            return;
        }
        Store target;
        try {
            target = target(slot);
        } catch (MovedException e) {
            write.fail(e);
            return;
        }
        if (ops.pendingStores.isEmpty() && !ops.pending.isEmpty()) {
            for (int k = 0; k < ops.pending.size(); k++) {
                ops.pendingStores.add(store);
            }
        }
        ops.pending.add(write);
        ops.pendingStores.add(target);
    }

    /**
     * Hands the run of queued writes to the store as one group (in a sharded cluster, one group per
     * shard, in the order of their first writes); each outcome is on its Write.
     */
    private void writePending(Ops ops) {
        List<Write<?>> writes = ops.pending;
        if (writes.isEmpty()) {
            return;
        }
        List<Store> stores = ops.pendingStores;
        if (stores.isEmpty()) {
            writeAll(store, writes);
            writes.clear();
            return;
        }
        while (!writes.isEmpty()) {
            Store target = stores.get(0);
            List<Write<?>> group = new ArrayList<>();
            for (int k = 0; k < writes.size(); k++) {
                if (stores.get(k) == target) {
                    group.add(writes.get(k));
                }
            }
            writeAll(target, group);
            for (int k = writes.size() - 1; k >= 0; k--) {
                if (stores.get(k) == target) {
                    writes.remove(k);
                    stores.remove(k);
                }
            }
        }
    }

    /** Hands {@code writes} to {@code target} as one group; each outcome is on its Write. */
    private static void writeAll(Store target, List<Write<?>> writes) {
        try {
            target.writeAll(writes);
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
    }

    /** Logs a failure that is not the request's own fault (a refusal, a write sent to a follower); returns it. */
    static Exception logged(String what, Exception e) {
        if (!(e instanceof Refusal) && !(e instanceof NotLeaderException) && !(e instanceof MovedException)
                && !(e instanceof IllegalArgumentException)) {
            log.error("{} failed", what, e);
        }
        return e;
    }
}
