package kvs.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import kvs.KvsException;

/**
 * Serializes writes and batches concurrent ones (group commit): the first writer to take the
 * leader lock commits every queued operation in one batch, so one write and at most one fsync
 * serve them all; the others park until the leader completes their operation and unparks them
 * directly, in parallel, rather than waking one another through the lock in turn. Serves
 * KvStore and MvStoreEngine (a batch is one log write and fsync, or one commit) and a cluster
 * member (a batch is one Raft log entry). Not API.
 */
public final class GroupCommit<T extends GroupCommit.Op> {

    /** Commits one batch, in queue order; sets per-operation outcomes with {@link Op#fail}. */
    public interface Handler<T> {
        void commit(List<T> batch) throws KvsException;
    }

    /** One queued write. Its outcome is written by the leader before {@code done} publishes it (fields are
     *  package-private because a type variable gives no access to private members). */
    public abstract static class Op {
        final Thread waiter = Thread.currentThread();
        Throwable failure;
        boolean succeeded;
        volatile boolean done;

        /** Records this operation's own failure (e.g. key not found); called by the handler. */
        public final void fail(Throwable t) {
            failure = t;
        }

        /** Marks this operation durable, so a later failure in its batch is not reported for it. */
        public final void succeed() {
            succeeded = true;
        }

        public final boolean failed() {
            return failure != null;
        }

        /**
         * The failure recorded, as a KvsException (a RuntimeException, such as a closed store's,
         * wrapped), or null; an Error is thrown as it is.
         */
        public final KvsException failure() {
            return switch (failure) {
                case null -> null;
                case KvsException k -> k;
                case Error e -> throw e;
                default -> new KvsException(failure.getMessage(), failure);
            };
        }
    }

    /** Bounds one batch so a leader returns to its own caller in bounded time. */
    private static final int MAX_BATCH = 4096;

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    /** Held by the thread committing a batch, or by {@link #exclusive} callers. */
    private final ReentrantLock leader = new ReentrantLock();
    private final Handler<T> handler;
    /** How long a leader waits for the writers of the last batch to queue again; 0: never. */
    private final long gatherNanos;
    private final long pauseNanos;
    /** Writers whose ops the last batch held (runs of one waiter's ops); leader only. */
    private int lastWriters;

    public GroupCommit(Handler<T> handler) {
        this(handler, 0);
    }

    /**
     * @param gatherNanos how long a leader may wait, when the last batch held more than one
     *                    writer's ops, for that many to be queued before it commits: worth it when
     *                    each batch costs an fsync, since the writers just woken need a moment to
     *                    queue their next write
     */
    public GroupCommit(Handler<T> handler, long gatherNanos) {
        this(handler, gatherNanos, 0);
    }

    /**
     * @param gatherNanos as above
     * @param pauseNanos  how long each pause of the wait is: 0 yields (a wait of a few µs, next to
     *                    an fsync); more parks, which leaves the CPU to the writers being waited
     *                    for (a wait of a millisecond, next to a replicated log entry)
     */
    public GroupCommit(Handler<T> handler, long gatherNanos, long pauseNanos) {
        this.handler = handler;
        this.gatherNanos = gatherNanos;
        this.pauseNanos = pauseNanos;
    }

    /**
     * Queues {@code op} and returns once it is committed, leading a batch if no one else is.
     *
     * @throws KvsException the operation's own failure or its batch's
     */
    public void submit(T op) throws KvsException {
        queue.add(op);
        await(op);
        rethrow(op.failure);
    }

    /**
     * Queues {@code ops} in order and returns once all are committed; each outcome stays on its
     * operation. The ops may land in more than one batch, in order.
     */
    public void submitAll(List<T> ops) {
        if (ops.isEmpty()) {
            return;
        }
        queue.addAll(ops);
        // Batches are committed one at a time in queue order: once the last is done, all are.
        await(ops.get(ops.size() - 1));
    }

    /** Waits until {@code op} is done, leading batches while no one else does. */
    private void await(T op) {
        // The op is committed whatever happens now, so an interrupt cannot abandon it: remember it for later.
        boolean interrupted = false;
        while (!op.done) {
            if (leader.tryLock()) {
                try {
                    while (!op.done) {
                        commitBatch();
                    }
                } finally {
                    release();
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code action} with writes held off, e.g. to roll the log over for compaction. */
    public <R> R exclusive(Action<R> action) throws KvsException {
        leader.lock();
        try {
            return action.run();
        } finally {
            release();
        }
    }

    /** Work done while holding the leader lock. */
    public interface Action<R> {
        R run() throws KvsException;
    }

    private void commitBatch() {
        gather();
        List<T> batch = new ArrayList<>();
        for (T op; batch.size() < MAX_BATCH && (op = queue.poll()) != null; ) {
            batch.add(op);
        }
        try {
            handler.commit(batch);
        } catch (Throwable t) {
            for (T op : batch) {
                if (op.failure == null && !op.succeeded) {
                    op.failure = t;
                }
            }
        } finally {
            for (T op : batch) {
                op.done = true;
            }
            // Every op is done before any waiter wakes, so one unpark serves a run of one thread's ops.
            Thread woken = Thread.currentThread(); // the leader needs no unpark
            int writers = 0;
            Thread previous = null;
            for (T op : batch) {
                if (op.waiter != previous) {
                    previous = op.waiter;
                    writers++;
                }
                if (op.waiter != woken) {
                    woken = op.waiter;
                    LockSupport.unpark(woken);
                }
            }
            lastWriters = writers;
        }
    }

    /**
     * Waits up to {@link #gatherNanos} for as many ops as the last batch had writers, yielding meanwhile.
     * Without a wait to gather ({@code gatherNanos} 0), a leader on a virtual thread yields once: the
     * connections its carrier runs next queue their writes first, and one batch (one log write) serves
     * them. One carrier, 50 clients: 1.13× the sets a second at pipeline 1, 1.20× at 16, at 0.85× the
     * CPU per set; with two carriers even, and p99 at pipeline 1 down by a fifth to a half
     * (bench/history/issue-31.md, third session). Not where a wait gathers: an fsync a batch
     * ({@code always}) did worse with it.
     */
    private void gather() {
        if (gatherNanos == 0) {
            if (Thread.currentThread().isVirtual()) {
                Thread.yield();
            }
            return;
        }
        if (lastWriters < 2) {
            return;
        }
        long deadline = System.nanoTime() + gatherNanos;
        while (!queued(lastWriters) && System.nanoTime() - deadline < 0) {
            if (pauseNanos == 0) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }

    /** Whether at least {@code n} ops are queued. */
    private boolean queued(int n) {
        int count = 0;
        for (T ignored : queue) {
            if (++count >= n) {
                return true;
            }
        }
        return false;
    }

    /** Unlocks and wakes the oldest waiting writer so it can lead the next batch. */
    private void release() {
        leader.unlock();
        T next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter);
        }
    }

    private static void rethrow(Throwable failure) throws KvsException {
        if (failure == null) {
            return;
        }
        if (failure instanceof KvsException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new KvsException("write failed: " + failure, failure);
    }
}
