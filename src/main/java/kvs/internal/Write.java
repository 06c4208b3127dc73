package kvs.internal;

import java.util.Objects;

/**
 * One set, remove or {@link Transaction} of a group handed to {@link GroupWriter#writeAll}; the
 * engine records its outcome on it. Not API.
 */
public final class Write {

    /** Null for a transaction. */
    private final String key;
    /** Null for a remove or a transaction. */
    private final String value;
    /** Null for a set or a remove. */
    private final Transaction transaction;
    /** Written by the engine before writeAll returns; read by the caller after. */
    private Exception failure;

    private Write(String key, String value, Transaction transaction) {
        this.key = key;
        this.value = value;
        this.transaction = transaction;
    }

    public static Write set(String key, String value) {
        return new Write(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"), null);
    }

    public static Write remove(String key) {
        return new Write(Objects.requireNonNull(key, "key"), null, null);
    }

    /** A read-modify-write, run in its place in the group with every other write held off. */
    public static Write transaction(Transaction transaction) {
        return new Write(null, null, Objects.requireNonNull(transaction, "transaction"));
    }

    /** The key set or removed; null for a transaction. */
    public String key() {
        return key;
    }

    /** The value to set, or null for a remove or a transaction. */
    public String value() {
        return value;
    }

    public boolean isRemove() {
        return value == null && transaction == null;
    }

    /** The transaction to run, or null for a set or a remove. */
    public Transaction transaction() {
        return transaction;
    }

    /**
     * Why this write failed: a {@link kvs.KeyNotFoundException} (a remove of an absent key), an
     * {@link IllegalArgumentException} (a key or value the engine cannot store, or a transaction
     * that refused), another {@link kvs.KvsException}; null once it is durable per the engine's policy.
     */
    public Exception failure() {
        return failure;
    }

    public void fail(Exception e) {
        failure = Objects.requireNonNull(e, "e");
    }
}
