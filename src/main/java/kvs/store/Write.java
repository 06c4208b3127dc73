package kvs.store;

import java.util.Objects;

/**
 * One write of a group handed to {@link Store#writeAll}: a {@link Set}, a {@link Remove}, a
 * {@link Txn} (a read-modify-write) or a {@link Meta} (the store user's own record, apart from
 * the keys). The store settles each with its {@link Outcome} before writeAll returns; the caller
 * reads it after.
 *
 * @param <R> the write's result
 */
public abstract sealed class Write<R> permits Write.Set, Write.Remove, Write.Txn, Write.Meta {

    /** Written by the store before writeAll returns; read by the caller after. */
    private Outcome<R> outcome;

    private Write() {
    }

    public static Set set(Bytes key, Bytes value) {
        return new Set(key, value, null);
    }

    /** A set that a replicated group applies once, however often {@code id} is retried; {@code id} may be null. */
    public static Set set(Bytes key, Bytes value, WriteId id) {
        return new Set(key, value, id);
    }

    public static Remove remove(Bytes key) {
        return new Remove(key, null);
    }

    /** A remove that a replicated group applies once, however often {@code id} is retried; {@code id} may be null. */
    public static Remove remove(Bytes key, WriteId id) {
        return new Remove(key, id);
    }

    public static <R> Txn<R> transaction(Transaction<R> transaction) {
        return new Txn<>(transaction);
    }

    /** Sets the record {@code name} of the store's metadata to {@code value}, or removes it when {@code value} is null. */
    public static Meta meta(String name, Bytes value) {
        return new Meta(name, value);
    }

    /** What became of this write, or null before the store settled it. */
    public final Outcome<R> outcome() {
        return outcome;
    }

    /** Records what became of this write; for {@link Store} implementations. */
    public final void settle(Outcome<R> o) {
        outcome = Objects.requireNonNull(o, "outcome");
    }

    /** Records a refusal; for {@link Store} implementations. */
    public final void refuse(Refusal refusal) {
        settle(new Outcome.Refused<>(refusal));
    }

    /** Records a failure; for {@link Store} implementations. */
    public final void fail(kvs.KvsException cause) {
        settle(new Outcome.Failed<>(cause));
    }

    /** Whether the store settled this write with anything but done. */
    public final boolean failed() {
        return outcome != null && !(outcome instanceof Outcome.Done);
    }

    /** Sets {@code key} to {@code value}, replacing any earlier value. */
    public static final class Set extends Write<Void> {
        private final Bytes key;
        private final Bytes value;
        private final WriteId id;

        private Set(Bytes key, Bytes value, WriteId id) {
            this.key = Objects.requireNonNull(key, "key");
            this.value = Objects.requireNonNull(value, "value");
            this.id = id;
        }

        public Bytes key() {
            return key;
        }

        public Bytes value() {
            return value;
        }

        /** The client's identity for this write, or null. */
        public WriteId id() {
            return id;
        }

        @Override
        public String toString() {
            return "set " + key + " " + value;
        }
    }

    /** Removes {@code key}; its result says whether the key was present. */
    public static final class Remove extends Write<Boolean> {
        private final Bytes key;
        private final WriteId id;

        private Remove(Bytes key, WriteId id) {
            this.key = Objects.requireNonNull(key, "key");
            this.id = id;
        }

        public Bytes key() {
            return key;
        }

        /** The client's identity for this write, or null. */
        public WriteId id() {
            return id;
        }

        @Override
        public String toString() {
            return "remove " + key;
        }
    }

    /** Runs a {@link Transaction} in its place in the group, with every other write held off. */
    public static final class Txn<R> extends Write<R> {
        private final Transaction<R> transaction;

        private Txn(Transaction<R> transaction) {
            this.transaction = Objects.requireNonNull(transaction, "transaction");
        }

        public Transaction<R> transaction() {
            return transaction;
        }
    }

    /**
     * Sets or removes a record of the store's metadata ({@link Store#meta}): kept apart from the
     * keys (never listed, counted or read by {@code get}), and committed in order with the other
     * writes of its group, so a store user can record with its writes what they stand for (a
     * replicated group: the log entry they applied).
     */
    public static final class Meta extends Write<Void> {
        private final String name;
        private final Bytes value;

        private Meta(String name, Bytes value) {
            this.name = Objects.requireNonNull(name, "name");
            this.value = value;
        }

        public String name() {
            return name;
        }

        /** The value set, or null for a removal. */
        public Bytes value() {
            return value;
        }

        @Override
        public String toString() {
            return "meta " + name + " " + value;
        }
    }
}
