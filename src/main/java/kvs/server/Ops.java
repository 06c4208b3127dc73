package kvs.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kvs.KvsException;
import kvs.internal.Failures;
import kvs.internal.Write;

/**
 * The engine operations of a connection's batch, in order, for the {@link Dispatcher}: reads of
 * a key, writes (sets, removes, transactions) and calls (work that must see every earlier write,
 * such as listing keys), each with its result once executed. A protocol adds the operations of
 * each request and marks where each request ends, where a batch may be answered in parts.
 * Reused from one batch to the next. Not API.
 */
public final class Ops {

    /** Work done in its place in the batch, after every earlier write is applied. */
    @FunctionalInterface
    public interface Call {
        Object run() throws KvsException;
    }

    static final byte NONE = 0;
    static final byte READ = 1;
    static final byte WRITE = 2;
    static final byte CALL = 3;
    private static final int INITIAL = 8;

    byte[] kinds = new byte[INITIAL];
    /** The key read, the Write, or the Call. */
    Object[] args = new Object[INITIAL];
    /** A read's value (null: absent) or a call's result, or the Exception it failed with. */
    Object[] results = new Object[INITIAL];
    /** Whether a request ends after this operation. */
    boolean[] ends = new boolean[INITIAL];
    int size;
    /** The dispatcher's run of writes not yet handed to the engine. */
    final List<Write> pending = new ArrayList<>();

    /** Adds a read of {@code key}; returns its index. */
    public int read(String key) {
        return add(READ, key);
    }

    /** Adds a write; returns its index. Its outcome is on the Write once executed. */
    public int write(Write write) {
        return add(WRITE, write);
    }

    /** Adds a call; returns its index. */
    public int call(Call call) {
        return add(CALL, call);
    }

    /** Adds an operation that does nothing (a request that did not decode); returns its index. */
    public int none() {
        return add(NONE, null);
    }

    /** Marks the end of a request: the batch may be answered in parts only at such a mark. */
    public void endRequest() {
        if (size > 0) {
            ends[size - 1] = true;
        }
    }

    public int size() {
        return size;
    }

    /** The value read by operation {@code i} (null: the key is absent). */
    public String value(int i) throws KvsException {
        Object r = results[i];
        if (r instanceof Exception e) {
            throw Failures.rethrown(e);
        }
        return (String) r;
    }

    /** The result of call {@code i}. */
    public Object result(int i) throws KvsException {
        Object r = results[i];
        if (r instanceof Exception e) {
            throw Failures.rethrown(e);
        }
        return r;
    }

    /** The failure of operation {@code i}, or null if it succeeded. */
    public Exception failure(int i) {
        return kinds[i] == WRITE ? ((Write) args[i]).failure() : results[i] instanceof Exception e ? e : null;
    }

    /** Lets go of the results of operations {@code [from, to)} once their replies are written (large values read). */
    public void forget(int from, int to) {
        Arrays.fill(results, from, to, null);
    }

    private int add(byte kind, Object arg) {
        if (size == kinds.length) {
            int n = 2 * size;
            kinds = Arrays.copyOf(kinds, n);
            args = Arrays.copyOf(args, n);
            results = Arrays.copyOf(results, n);
            ends = Arrays.copyOf(ends, n);
        }
        kinds[size] = kind;
        args[size] = arg;
        return size++;
    }

    public void clear() {
        Arrays.fill(args, 0, size, null);
        Arrays.fill(results, 0, size, null);
        Arrays.fill(ends, 0, size, false);
        size = 0;
        pending.clear();
    }
}
