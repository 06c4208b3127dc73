package kvs.engine;

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
 * directly, in parallel, rather than waking one another through the lock in turn.
 */
final class GroupCommit<T extends GroupCommit.Op> {

    /** Commits one batch, in queue order; sets per-operation outcomes with {@link Op#fail}. */
    interface Handler<T> {
        void commit(List<T> batch) throws KvsException;
    }

    /** One queued write. Its outcome is written by the leader before {@code done} publishes it (fields are
     *  package-private because a type variable gives no access to private members). */
    abstract static class Op {
        final Thread waiter = Thread.currentThread();
        Throwable failure;
        boolean succeeded;
        volatile boolean done;

        /** Records this operation's own failure (e.g. key not found); called by the handler. */
        final void fail(Throwable t) {
            failure = t;
        }

        /** Marks this operation durable, so a later failure in its batch is not reported for it. */
        final void succeed() {
            succeeded = true;
        }

        final boolean failed() {
            return failure != null;
        }
    }

    /** Bounds one batch so a leader returns to its own caller in bounded time. */
    private static final int MAX_BATCH = 4096;

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    /** Held by the thread committing a batch, or by {@link #exclusive} callers. */
    private final ReentrantLock leader = new ReentrantLock();
    private final Handler<T> handler;

    GroupCommit(Handler<T> handler) {
        this.handler = handler;
    }

    /**
     * Queues {@code op} and returns once it is committed, leading a batch if no one else is.
     *
     * @throws KvsException the operation's own failure or its batch's
     */
    void submit(T op) throws KvsException {
        queue.add(op);
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
        rethrow(op.failure);
    }

    /** Runs {@code action} with writes held off, e.g. to roll the log over for compaction. */
    <R> R exclusive(Action<R> action) throws KvsException {
        leader.lock();
        try {
            return action.run();
        } finally {
            release();
        }
    }

    /** Work done while holding the leader lock. */
    interface Action<R> {
        R run() throws KvsException;
    }

    private void commitBatch() {
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
            Thread self = Thread.currentThread();
            for (T op : batch) {
                op.done = true;
                if (op.waiter != self) {
                    LockSupport.unpark(op.waiter);
                }
            }
        }
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
