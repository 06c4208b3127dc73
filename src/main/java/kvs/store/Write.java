package kvs.store;

import java.util.Objects;

/**
 * One write of a group handed to {@link Store#writeAll}: a {@link Set}, a {@link Remove}, a
 * {@link RemoveExpired} (an expiry cycle's), a {@link Txn} (a read-modify-write) or a
 * {@link Meta} (the store user's own record, apart from the keys). The store settles each with its {@link Outcome} before writeAll returns; the caller
 * reads it after.
 *
 * @param <R> the write's result
 */
public abstract sealed class Write<R> permits Write.Set, Write.Remove, Write.RemoveExpired, Write.Txn, Write.Meta {

    /** Written by the store before writeAll returns; read by the caller after. */
    private Outcome<R> outcome;

    private Write() {
    }

    /**
     * A set of a key that does not expire.
     *
     * @param key   the key
     * @param value the value, any bytes
     * @return the write
     */
    public static Set set(Bytes key, Bytes value) {
        return new Set(key, value, Entry.NONE, null);
    }

    /**
     * A set that a replicated group applies once, however often {@code id} is retried; {@code id} may be null.
     *
     * @param key   the key
     * @param value the value, any bytes
     * @param id    the client's identity for the write, or null
     * @return the write
     */
    public static Set set(Bytes key, Bytes value, WriteId id) {
        return new Set(key, value, Entry.NONE, id);
    }

    /**
     * A set of a key with {@code deadline} (Unix milliseconds, or {@link Entry#NONE}).
     *
     * @param key      the key
     * @param value    the value, any bytes
     * @param deadline when the key expires, in Unix milliseconds, or {@link Entry#NONE}
     * @return the write
     */
    public static Set set(Bytes key, Bytes value, long deadline) {
        return new Set(key, value, deadline, null);
    }

    /**
     * A set with a deadline, applied once however often {@code id} is retried; {@code id} may be null.
     *
     * @param key      the key
     * @param value    the value, any bytes
     * @param deadline when the key expires, in Unix milliseconds, or {@link Entry#NONE}
     * @param id       the client's identity for the write, or null
     * @return the write
     */
    public static Set set(Bytes key, Bytes value, long deadline, WriteId id) {
        return new Set(key, value, deadline, id);
    }

    /**
     * A remove of {@code key}.
     *
     * @param key the key
     * @return the write; its result says whether the key was present
     */
    public static Remove remove(Bytes key) {
        return new Remove(key, null);
    }

    /**
     * A remove that a replicated group applies once, however often {@code id} is retried; {@code id} may be null.
     *
     * @param key the key
     * @param id  the client's identity for the write, or null
     * @return the write
     */
    public static Remove remove(Bytes key, WriteId id) {
        return new Remove(key, id);
    }

    /**
     * Removes {@code key} if its deadline is still {@code deadline}: an expiry cycle's removal of a
     * key it found expired, which a write that set the key again meanwhile makes a no-op. Its
     * result says whether it removed the key. The store compares deadlines, not clocks, so every
     * member of a replicated group decides alike.
     *
     * @param key      the key
     * @param deadline the deadline it was found expired with, in Unix milliseconds
     * @return the write
     */
    public static RemoveExpired removeExpired(Bytes key, long deadline) {
        return new RemoveExpired(key, deadline);
    }

    /**
     * A transaction, run in its place in the group with every other write held off.
     *
     * @param <R>         the transaction's result type
     * @param transaction the reads and writes to run as one
     * @return the write
     */
    public static <R> Txn<R> transaction(Transaction<R> transaction) {
        return new Txn<>(transaction, Txn.NOW, null);
    }

    /**
     * A transaction that commits only if {@code watch} still holds when it runs: refused with
     * {@link WatchBroken}, having run nothing, if a watched key changed since it was watched.
     *
     * @param <R>         the transaction's result type
     * @param transaction the reads and writes to run as one
     * @param watch       the keys that must not have changed
     * @return the write
     */
    public static <R> Txn<R> transaction(Transaction<R> transaction, Watch watch) {
        return new Txn<>(transaction, Txn.NOW, Objects.requireNonNull(watch, "watch"));
    }

    /**
     * A transaction whose view reads deadlines against {@code asOf} (Unix milliseconds) rather
     * than the store's clock: a replicated group's members apply a read-modify-write as of the
     * time its leader ran it, so each decides alike whatever its own clock says.
     *
     * @param <R>         the transaction's result type
     * @param transaction the reads and writes to run as one
     * @param asOf        the time its view reads deadlines against, in Unix milliseconds
     * @return the write
     * @throws IllegalArgumentException if {@code asOf} is not positive
     */
    public static <R> Txn<R> transaction(Transaction<R> transaction, long asOf) {
        if (asOf <= 0) {
            throw new IllegalArgumentException("asOf is a positive Unix time in milliseconds: " + asOf);
        }
        return new Txn<>(transaction, asOf, null);
    }

    /**
     * Sets the record {@code name} of the store's metadata to {@code value}, or removes it when {@code value} is null.
     *
     * @param name  the record's name
     * @param value its value, or null to remove it
     * @return the write
     */
    public static Meta meta(String name, Bytes value) {
        return new Meta(name, value);
    }

    /**
     * What became of this write, or null before the store settled it.
     *
     * @return the outcome, or null
     */
    public final Outcome<R> outcome() {
        return outcome;
    }

    /**
     * Records what became of this write; for {@link Store} implementations.
     *
     * @param o the outcome
     */
    public final void settle(Outcome<R> o) {
        outcome = Objects.requireNonNull(o, "outcome");
    }

    /**
     * Records a refusal; for {@link Store} implementations.
     *
     * @param refusal what was wrong with the write
     */
    public final void refuse(Refusal refusal) {
        settle(new Outcome.Refused<>(refusal));
    }

    /**
     * Records a failure; for {@link Store} implementations.
     *
     * @param cause why the store could not do it
     */
    public final void fail(kvs.KvsException cause) {
        settle(new Outcome.Failed<>(cause));
    }

    /**
     * Whether the store settled this write with anything but done.
     *
     * @return whether it was refused or failed
     */
    public final boolean failed() {
        return outcome != null && !(outcome instanceof Outcome.Done);
    }

    /** Sets {@code key} to {@code value}, replacing any earlier value. */
    public static final class Set extends Write<Void> {
        private final Bytes key;
        private final Bytes value;
        private final long deadline;
        private final WriteId id;

        private Set(Bytes key, Bytes value, long deadline, WriteId id) {
            this.key = Objects.requireNonNull(key, "key");
            this.value = Objects.requireNonNull(value, "value");
            if (deadline < 0) {
                throw new IllegalArgumentException("a deadline is a positive Unix time in milliseconds: " + deadline);
            }
            this.deadline = deadline;
            this.id = id;
        }

        /**
         * The key set.
         *
         * @return the key
         */
        public Bytes key() {
            return key;
        }

        /**
         * The value set.
         *
         * @return the value
         */
        public Bytes value() {
            return value;
        }

        /**
         * The key's deadline from this write on, Unix milliseconds, or {@link Entry#NONE}.
         *
         * @return the deadline
         */
        public long deadline() {
            return deadline;
        }

        /**
         * The client's identity for this write, or null.
         *
         * @return the identity, or null
         */
        public WriteId id() {
            return id;
        }

        @Override
        public String toString() {
            return "set " + key + " " + value + (deadline == Entry.NONE ? "" : " until " + deadline);
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

        /**
         * The key removed.
         *
         * @return the key
         */
        public Bytes key() {
            return key;
        }

        /**
         * The client's identity for this write, or null.
         *
         * @return the identity, or null
         */
        public WriteId id() {
            return id;
        }

        @Override
        public String toString() {
            return "remove " + key;
        }
    }

    /** Removes a key an expiry cycle found expired, if its deadline is still the one found; whether it did. */
    public static final class RemoveExpired extends Write<Boolean> {
        private final Bytes key;
        private final long deadline;

        private RemoveExpired(Bytes key, long deadline) {
            this.key = Objects.requireNonNull(key, "key");
            if (deadline <= 0) {
                throw new IllegalArgumentException("a deadline is a positive Unix time in milliseconds: " + deadline);
            }
            this.deadline = deadline;
        }

        /**
         * The key to remove.
         *
         * @return the key
         */
        public Bytes key() {
            return key;
        }

        /**
         * The deadline the key must still have to be removed.
         *
         * @return the deadline, in Unix milliseconds
         */
        public long deadline() {
            return deadline;
        }

        @Override
        public String toString() {
            return "remove " + key + " if it expires at " + deadline;
        }
    }

    /**
     * Runs a {@link Transaction} in its place in the group, with every other write held off.
     *
     * @param <R> the transaction's result type
     */
    public static final class Txn<R> extends Write<R> {
        /** {@link #asOf()} of a transaction that reads deadlines against the store's clock. */
        public static final long NOW = 0;

        private final Transaction<R> transaction;
        private final long asOf;
        private final Watch watch;

        private Txn(Transaction<R> transaction, long asOf, Watch watch) {
            this.transaction = Objects.requireNonNull(transaction, "transaction");
            this.asOf = asOf;
            this.watch = watch;
        }

        /**
         * The transaction to run.
         *
         * @return the transaction
         */
        public Transaction<R> transaction() {
            return transaction;
        }

        /**
         * The time its view reads deadlines against (Unix milliseconds), or {@link #NOW}: the store's clock as it runs.
         *
         * @return the time, or {@link #NOW}
         */
        public long asOf() {
            return asOf;
        }

        /**
         * The watch it commits under, or null.
         *
         * @return the watch, or null
         */
        public Watch watch() {
            return watch;
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

        /**
         * The record's name.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * The value set, or null for a removal.
         *
         * @return the value, or null
         */
        public Bytes value() {
            return value;
        }

        @Override
        public String toString() {
            return "meta " + name + " " + value;
        }
    }
}
