package kvs.command;

import java.util.ArrayList;
import java.util.List;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Transaction;
import kvs.store.Write;

/**
 * The operations of queued commands (a RESP {@code MULTI}'s) run as one store transaction: in
 * order, against the transaction's view, so each sees the ones before it and no other client's
 * writes, and what they write commits all together, in one group commit. Each operation is
 * settled as the {@link Dispatcher} would settle it: a command that fails or is refused (an
 * INCR of a word) has its own outcome, writes nothing, and the others still run, as in Redis.
 * <p>
 * Calls (a listing of keys, a count) read the keyspace through the view too, with the
 * transaction's own earlier writes. A replicated group may run the transaction more than once;
 * each run settles the operations again, and the last one stands.
 */
public final class QueuedTransaction implements Transaction<Void> {

    private final Ops ops;

    /** A transaction of the operations of {@code ops}, which it settles as it runs. */
    public QueuedTransaction(Ops ops) {
        this.ops = ops;
    }

    @Override
    public Void run(View view) {
        for (int i = 0; i < ops.size(); i++) {
            switch (ops.op(i)) {
                case Ops.Read read -> read(read, view);
                case Ops.ReadAll read -> readAll(read, view);
                case Ops.Writing w -> apply(w.write(), view);
                case Ops.Call<?> call -> call.run(Keyspace.of(view));
                case Ops.Nothing n -> {
                } // a command answered without the store
            }
        }
        return null;
    }

    private static void read(Ops.Read read, View view) {
        try {
            if (read.withDeadline) {
                read.done(view.entry(read.key));
            } else {
                read.done(view.get(read.key));
            }
        } catch (KvsException | RuntimeException e) {
            read.failed(Dispatcher.logged("get", e));
        }
    }

    private static void readAll(Ops.ReadAll read, View view) {
        try {
            List<Bytes> values = new ArrayList<>(read.keys.size());
            for (Bytes k : read.keys) {
                values.add(view.get(k));
            }
            read.done(values);
        } catch (KvsException | RuntimeException e) {
            read.failed(Dispatcher.logged("get", e));
        }
    }

    /** Makes {@code w} through {@code view} and settles it; a command's transaction runs over a view of its own, so a refusal leaves nothing of it. */
    @SuppressWarnings("unchecked")
    private static void apply(Write<?> w, View view) {
        try {
            switch (w) {
                case Write.Set s -> {
                    view.set(s.key(), s.value(), s.deadline());
                    s.settle(Outcome.done());
                }
                case Write.Remove r -> r.settle(Outcome.removed(view.remove(r.key())));
                case Write.Txn<?> t -> {
                    StagedView staged = new StagedView(view);
                    Object result = t.transaction().run(staged);
                    staged.commit();
                    ((Write<Object>) t).settle(new Outcome.Done<>(result));
                }
                case Write.RemoveExpired r -> r.refuse(new Refusal("an expiry cycle's removal is not made inside a transaction"));
                case Write.Meta m -> m.refuse(new Refusal("metadata is not written inside a transaction"));
            }
        } catch (Refusal r) {
            w.refuse(r);
        } catch (KvsException e) {
            w.fail((KvsException) Dispatcher.logged("write", e));
        } catch (RuntimeException e) {
            w.fail(new KvsException(Dispatcher.logged("write", e).getMessage(), e));
        }
    }
}
