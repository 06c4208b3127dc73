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
    /** The client's identity for a set or remove, or null. */
    private final WriteId id;
    /** Written by the engine before writeAll returns; read by the caller after. */
    private Exception failure;

    private Write(String key, String value, Transaction transaction, WriteId id) {
        this.key = key;
        this.value = value;
        this.transaction = transaction;
        this.id = id;
    }

    public static Write set(String key, String value) {
        return set(key, value, null);
    }

    /** A set that a replicated group applies once, however often {@code id} is retried; {@code id} may be null. */
    public static Write set(String key, String value, WriteId id) {
        return new Write(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"), null, id);
    }

    public static Write remove(String key) {
        return remove(key, null);
    }

    /** A remove that a replicated group applies once, however often {@code id} is retried; {@code id} may be null. */
    public static Write remove(String key, WriteId id) {
        return new Write(Objects.requireNonNull(key, "key"), null, null, id);
    }

    /** A read-modify-write, run in its place in the group with every other write held off. */
    public static Write transaction(Transaction transaction) {
        return new Write(null, null, Objects.requireNonNull(transaction, "transaction"), null);
    }

    /** The client's identity for this write, or null. */
    public WriteId id() {
        return id;
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
