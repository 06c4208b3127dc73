package kvs.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import kvs.NotLeaderException;
import kvs.command.Ops;
import kvs.command.QueuedTransaction;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Watch;
import kvs.store.WatchBroken;
import kvs.store.Write;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis 7.2 answers them. Between MULTI and EXEC a
 * connection's commands are checked (that they exist, their arity, authentication) and queued
 * ({@link Multi}); EXEC plans them all and runs them as one store transaction
 * ({@link QueuedTransaction}): nothing else is written between them, no reader sees part of their
 * writes, they commit in one group commit, and each command's error is its own element of the
 * reply. WATCH adds keys to the connection's {@link Watch}; EXEC runs under it, and answers a null
 * array, writing nothing, if a watched key changed. Every change to the watch is an operation in
 * its place among the connection's, so a pipelined WATCH, SET, EXEC each see the ones before.
 */
final class TransactionCommands {

    private static final RespError NESTED = new RespError("ERR MULTI calls can not be nested");
    private static final RespError EXEC_WITHOUT_MULTI = new RespError("ERR EXEC without MULTI");
    private static final RespError DISCARD_WITHOUT_MULTI = new RespError("ERR DISCARD without MULTI");
    private static final RespError WATCH_INSIDE_MULTI = new RespError("ERR WATCH inside MULTI is not allowed");
    private static final RespError PREVIOUS_ERRORS = new RespError("EXECABORT Transaction discarded because of previous errors.");
    /** The prefix of Redis's reply to an EXEC it refuses. */
    static final String ABORTED = "EXECABORT Transaction discarded because of: ";

    private TransactionCommands() {
    }

    static Reply multi(Args args, Ops ops, RespSession client) {
        if (client.multi().active()) {
            throw NESTED;
        }
        client.multi().begin();
        return Reply.ok();
    }

    static Reply exec(Args args, Ops ops, RespSession client) {
        Multi multi = client.multi();
        if (!multi.active()) {
            throw EXEC_WITHOUT_MULTI; // the watch stays, as in Redis
        }
        boolean refused = multi.refused();
        List<List<byte[]>> queued = multi.end();
        Watch watch = client.watch();
        if (refused) {
            unwatch(ops, watch);
            throw PREVIOUS_ERRORS;
        }
        Ops queue = new Ops();
        Reply[] replies = new Reply[queued.size()];
        String[] names = new String[replies.length];
        for (int i = 0; i < replies.length; i++) {
            Args queuedArgs = new Args(queued.get(i));
            names[i] = queuedArgs.lower(0);
            replies[i] = client.planQueued(names[i], queuedArgs, queue);
        }
        // Under the watch as it will be when the transaction runs: a WATCH before it in the batch adds to it first.
        Write.Txn<Void> txn = ops.write(Write.transaction(new QueuedTransaction(queue), watch));
        unwatch(ops, watch);
        return out -> {
            Outcome<Void> outcome = txn.outcome();
            if (outcome instanceof Outcome.Refused<Void> r && r.refusal() instanceof WatchBroken) {
                out.nullArray();
                return;
            }
            try {
                outcome.get();
            } catch (NotLeaderException e) {
                throw new RespError(ABORTED + RespSession.READONLY);
            } catch (RespError e) {
                throw e;
            } catch (Refusal e) {
                throw new RespError(ABORTED + e.getMessage());
            }
            out.array(replies.length);
            for (int i = 0; i < replies.length; i++) {
                client.writeElement(names[i], replies[i]);
            }
        };
    }

    static Reply discard(Args args, Ops ops, RespSession client) {
        if (!client.multi().active()) {
            throw DISCARD_WITHOUT_MULTI;
        }
        client.multi().end();
        unwatch(ops, client.watch());
        return Reply.ok();
    }

    /** WATCH key...: each key watched from its place among the connection's operations. */
    static Reply watch(Args args, Ops ops, RespSession client) {
        if (client.multi().active()) {
            throw WATCH_INSIDE_MULTI;
        }
        Watch watch = client.watch();
        List<Bytes> keys = new ArrayList<>(args.size() - 1);
        for (int j = 1; j < args.size(); j++) {
            keys.add(args.key(j));
        }
        Ops.Call<Object> call = ops.call(keyspace -> {
            watch.addAll(keys); // read together: a group member takes one ReadIndex for them all
            return null;
        });
        return out -> {
            call.result();
            out.simple("OK");
        };
    }

    /** UNWATCH; queued in a transaction it does nothing, as EXEC lets go of the watch anyway. */
    static Reply unwatch(Args args, Ops ops, RespSession client) {
        if (!client.runningQueued()) {
            unwatch(ops, client.watch());
        }
        return Reply.ok();
    }

    /** Lets go of the watched keys in this place among the connection's operations. */
    static void unwatch(Ops ops, Watch watch) {
        ops.call(keyspace -> {
            watch.close();
            return null;
        });
    }

    /**
     * Redis's reply to an EXEC refused before it ran ({@code error}: why), which discards the
     * transaction: the reason without the generic {@code ERR} prefix, but with any other
     * ({@code NOAUTH}, {@code READONLY}).
     */
    static RespError aborted(RespError error) {
        String why = new String(error.line(), StandardCharsets.ISO_8859_1);
        return RespError.quoting(ABORTED + (why.startsWith("ERR ") ? why.substring(4) : why));
    }
}
