package kvs.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;
import kvs.store.Write;

/**
 * The store operations of a connection's batch, in order, for the {@link Dispatcher}: reads of a
 * key, writes (sets, removes, transactions: the store's {@link Write}s, settled with their
 * outcome) and calls (work that must see every earlier write, such as listing keys). Adding one
 * returns its handle, which holds its result once executed; a protocol keeps the handles its
 * replies need and marks where each request ends, where a batch may be answered in parts.
 * Reused from one batch to the next.
 */
public final class Ops {

    /** One operation of a batch. */
    public sealed interface Op permits Read, ReadAll, Call, Writing, Nothing {
    }

    /** A read of one key: its value, or its value and deadline. */
    public static final class Read implements Op {
        final Bytes key;
        /** Whether the read is of the key's deadline too ({@link Store#entry}). */
        final boolean withDeadline;
        private Bytes value;
        private long deadline;
        /** A KvsException, or the store's Refusal of the key; null once read. */
        private Exception failure;

        private Read(Bytes key, boolean withDeadline) {
            this.key = key;
            this.withDeadline = withDeadline;
        }

        /**
         * The value read, or null when the key is absent.
         *
         * @throws KvsException           if the read failed
         * @throws kvs.store.Refusal if the store refused the key
         */
        public Bytes value() throws KvsException {
            rethrow(failure);
            return value;
        }

        /**
         * The value read with its deadline, or null when the key is absent; for a read made
         * with {@link Ops#readEntry}.
         *
         * @throws KvsException if the read failed
         */
        public Entry entry() throws KvsException {
            rethrow(failure);
            if (!withDeadline) {
                throw new IllegalStateException("a read of the value only: add it with readEntry");
            }
            return value == null ? null : new Entry(value, deadline);
        }

        /** Whether this is a read of the key's deadline too ({@link Ops#readEntry}). */
        public boolean withDeadline() {
            return withDeadline;
        }

        void done(Bytes v) {
            value = v;
            failure = null;
        }

        void done(Entry e) {
            value = e == null ? null : e.value();
            deadline = e == null ? Entry.NONE : e.deadline();
            failure = null;
        }

        void failed(Exception e) {
            failure = e;
        }

        /** Why this read failed, or null. */
        public Exception failure() {
            return failure;
        }
    }

    /** A read of several keys' values together ({@link Store#getAll}): no transaction's writes seen in part. */
    public static final class ReadAll implements Op {
        final List<Bytes> keys;
        private List<Bytes> values;
        private Exception failure;

        private ReadAll(List<Bytes> keys) {
            this.keys = keys;
        }

        /**
         * The values read, in the order of the keys, null for an absent key.
         *
         * @throws KvsException if the read failed
         */
        public List<Bytes> values() throws KvsException {
            rethrow(failure);
            return values;
        }

        void done(List<Bytes> v) {
            values = v;
            failure = null;
        }

        void failed(Exception e) {
            failure = e;
        }

        /** Why this read failed, or null. */
        public Exception failure() {
            return failure;
        }
    }

    /**
     * Work done in its place in the batch, after every earlier write is applied; what it reads of
     * the whole keyspace, it reads through {@code keys} (inside a transaction, its view).
     */
    @FunctionalInterface
    public interface Work<R> {
        R run(Keyspace keys) throws KvsException;
    }

    /** A call of some {@link Work}, with its result once run. */
    public static final class Call<R> implements Op {
        final Work<R> work;
        private R result;
        private Exception failure;

        private Call(Work<R> work) {
            this.work = work;
        }

        /** The work's result; its failure thrown. */
        public R result() throws KvsException {
            rethrow(failure);
            return result;
        }

        void run(Keyspace keys) {
            try {
                result = work.run(keys);
                failure = null;
            } catch (KvsException | RuntimeException e) {
                failure = Dispatcher.logged("call", e);
            }
        }

        public Exception failure() {
            return failure;
        }
    }

    /** Throws {@code failure} (a KvsException, or a RuntimeException such as a Refusal), if there is one. */
    private static void rethrow(Exception failure) throws KvsException {
        if (failure instanceof KvsException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    public record Writing(Write<?> write) implements Op {
    }

    /** A request that did not decode, or was answered without the store. */
    public enum Nothing implements Op {
        INSTANCE
    }

    private static final int INITIAL = 8;

    /** No hash slot: the operation runs on the dispatcher's store itself. */
    public static final int NO_SLOT = -1;

    Op[] ops = new Op[INITIAL];
    /** Whether a request ends after this operation. */
    boolean[] ends = new boolean[INITIAL];
    /** Each operation's hash slot in a sharded cluster ({@link Store#forSlot}), or {@link #NO_SLOT}. */
    int[] slots = new int[INITIAL];
    /** The slot of the operations the request being planned adds. */
    private int slot = NO_SLOT;
    int size;
    /** The dispatcher's run of writes not yet handed to the store. */
    final List<Write<?>> pending = new ArrayList<>();
    /** The store each pending write goes to, in a sharded cluster; empty otherwise. */
    final List<Store> pendingStores = new ArrayList<>();

    /** An empty batch (the kvs protocol's and RESP's sessions each keep one). */
    public Ops() {
    }

    /** Adds a read of {@code key}'s value. */
    public Read read(Bytes key) {
        return add(new Read(key, false));
    }

    /** Adds a read of {@code key}'s value and deadline ({@link Read#entry()}). */
    public Read readEntry(Bytes key) {
        return add(new Read(key, true));
    }

    /** Adds a read of the values of {@code keys} together. */
    public ReadAll readAll(List<Bytes> keys) {
        return add(new ReadAll(List.copyOf(keys)));
    }

    /** Adds a write; its outcome is on it once executed. */
    public <W extends Write<?>> W write(W write) {
        add(new Writing(write));
        return write;
    }

    /** Adds a call. */
    public <R> Call<R> call(Work<R> work) {
        return add(new Call<>(work));
    }

    /** Adds an operation that does nothing (a request that did not decode, or one answered without the store). */
    public void none() {
        add(Nothing.INSTANCE);
    }

    /**
     * Runs the operations the request being planned adds from now on, until its end, on the store
     * that serves hash slot {@code slot} ({@link Store#forSlot}): a sharded cluster's protocols
     * name each keyed request's slot.
     */
    public void inSlot(int slot) {
        this.slot = slot;
    }

    /** Marks the end of a request: the batch may be answered in parts only at such a mark. */
    public void endRequest() {
        if (size > 0) {
            ends[size - 1] = true;
        }
        slot = NO_SLOT;
    }

    public int size() {
        return size;
    }

    /** Operation {@code i}. */
    public Op op(int i) {
        return ops[i];
    }

    /** Lets go of the values read by operations {@code [from, to)} once their replies are written (large values). */
    public void forget(int from, int to) {
        for (int i = from; i < to; i++) {
            if (ops[i] instanceof Read r) {
                r.value = null;
            } else if (ops[i] instanceof ReadAll r) {
                r.values = null;
            }
        }
    }

    private <T extends Op> T add(T op) {
        if (size == ops.length) {
            ops = Arrays.copyOf(ops, 2 * size);
            ends = Arrays.copyOf(ends, 2 * size);
            slots = Arrays.copyOf(slots, 2 * size);
        }
        slots[size] = slot;
        ops[size++] = op;
        return op;
    }

    public void clear() {
        Arrays.fill(ops, 0, size, null);
        Arrays.fill(ends, 0, size, false);
        size = 0;
        slot = NO_SLOT;
        pending.clear();
        pendingStores.clear();
    }
}
