package kvs.store;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;

/**
 * A persistent store of byte-string keys and values: the one contract the server, both protocols
 * and a replicated group need, and what KvStore, MvStoreEngine and a group member (ClusterNode)
 * each are. One instance is shared by every thread that uses it.
 *
 * <p>A key may have a deadline ({@link Entry}): from the moment it passes, by the store's
 * {@link #clock()}, the key is absent to every read ({@link #get}, {@link #entry}, {@link #keys},
 * a transaction's view), though it stays stored, and counted by {@link #size}, until a write
 * removes it: an expiry cycle's {@link Write.RemoveExpired}, or any write of the key.
 *
 * <p>Writes go in groups ({@link #writeAll}): sets, removes and transactions, committed in order,
 * each settled with a typed {@link Outcome}. A removal of an absent key is a result, a refusal
 * (a key too long, an INCR of a word) is a {@link Refusal}, a failure of the store a
 * {@link KvsException}. Reads take no lock.
 *
 * <p>talent-plan's {@link KvsEngine} is a UTF-8 view of it: its String methods encode keys and
 * values as UTF-8 and throw {@link KeyNotFoundException} on removing an absent key.
 */
public interface Store extends KvsEngine {

    /**
     * The value of {@code key}, or null when it is absent.
     *
     * @param key the key to read
     * @return the value, or null
     * @throws KvsException if it cannot be read (an I/O error, a checksum that fails, a group
     *                      member that cannot serve now)
     */
    Bytes get(Bytes key) throws KvsException;

    /**
     * The value of {@code key} with its deadline, or null when it is absent (or its deadline has passed).
     *
     * @param key the key to read
     * @return its value and deadline, or null
     * @throws KvsException as {@link #get(Bytes)} does
     */
    Entry entry(Bytes key) throws KvsException;

    /**
     * The entries of {@code keys}, in order, null for an absent key, each read as {@link #entry}
     * reads it, though not necessarily together (a {@link Watch} reads its keys so). A
     * replicated group's member reads them all after one ReadIndex.
     *
     * @param keys the keys to read
     * @return one entry per key, in the keys' order, null for an absent key
     * @throws KvsException as {@link #get(Bytes)} does
     */
    default List<Entry> entries(List<Bytes> keys) throws KvsException {
        List<Entry> entries = new ArrayList<>(keys.size());
        for (Bytes k : keys) {
            entries.add(entry(k));
        }
        return entries;
    }

    /**
     * The values of {@code keys}, in order, null for an absent key, read together: a group of
     * writes committed as one (a transaction, an MSET) is seen whole or not at all, as a single
     * {@link #get} sees a key's value whole.
     *
     * @param keys the keys to read
     * @return one value per key, in the keys' order, null for an absent key
     * @throws KvsException as {@link #get(Bytes)} does
     */
    List<Bytes> getAll(List<Bytes> keys) throws KvsException;

    /**
     * The keys clients watch on this store and their versions, which every write of a watched key
     * moves once readers can see it ({@link Watches#touched}): what a {@link Watch} checks.
     *
     * @return the store's table of watched keys
     */
    Watches watches();

    /**
     * The clock deadlines are read against: Unix milliseconds ({@link InstantSource#millis()}).
     *
     * @return the store's clock
     */
    InstantSource clock();

    /**
     * Commits {@code writes} in order, as one group where the store can (KvStore: one log write
     * and, under {@code always}, one fsync), and returns once each is settled: its
     * {@link Write#outcome()} says what became of it. One write refused or failed does not stop
     * the others unless the store itself fails.
     *
     * @param writes the writes, each settled on return
     * @throws IllegalStateException if the store is closed
     */
    void writeAll(List<? extends Write<?>> writes);

    /**
     * The keys present, in no particular order, weakly consistent with writes made meanwhile;
     * none whose deadline has passed.
     *
     * @return an iterator over the present keys
     * @throws KvsException if the store cannot be read
     */
    Iterator<Bytes> keys() throws KvsException;

    /**
     * How many keys are stored: those whose deadline has passed and no write has removed yet too.
     *
     * @return the number of keys stored
     * @throws KvsException if the store cannot be read
     */
    long size() throws KvsException;

    /**
     * Up to {@code count} of the keys that have a deadline, with it, for an expiry cycle: each
     * call goes on where the last one stopped, round the keyspace, visiting a bounded share of
     * it. Empty only when no key has a deadline, or when the store may not remove keys on its own
     * (a member of a replicated group that is not its leader: the leader removes them for all).
     * The cycle removes those whose deadline has passed with {@link Write#removeExpired}.
     *
     * @param count the most keys to return
     * @return keys with their deadlines, at most {@code count}
     * @throws KvsException if the store cannot be read
     */
    List<KeyDeadline> scanDeadlines(int count) throws KvsException;

    /**
     * The record {@code name} of the store's metadata ({@link Write.Meta}), or null when it has
     * none: what its user recorded with its writes, apart from the keys.
     *
     * @param name the record's name
     * @return its value, or null
     * @throws KvsException if the store cannot be read
     */
    Bytes meta(String name) throws KvsException;

    /**
     * Makes every write so far durable, whatever the durability policy.
     *
     * @throws KvsException if the fsync fails
     */
    void sync() throws KvsException;

    /**
     * The store's figures now.
     *
     * @return keys, bytes and compaction figures
     */
    StoreFigures figures();

    /**
     * Whether this store is one process's part of a sharded cluster, whose keys go to the store
     * {@link #forSlot} names: the protocols then compute each request's hash slot.
     *
     * @return false, but for a sharded cluster's process
     */
    default boolean sharded() {
        return false;
    }

    /**
     * The store that serves the keys of hash slot {@code slot} here: this one, but in a sharded
     * cluster ({@link #sharded}), where it is the slot's shard, led by this process.
     *
     * @param slot a hash slot, 0 to 16383 ({@code kvs.slots.HashSlot})
     * @return the store to run the slot's reads and writes on
     * @throws kvs.MovedException if another process serves the slot
     */
    default Store forSlot(int slot) throws kvs.MovedException {
        return this;
    }

    /**
     * Moves {@code count} slots of shard {@code from} with their keys to shard {@code to}, while
     * clients go on, and returns once the move is done (a sharded cluster, docs/CLUSTER.md, "Moving
     * slots"): the slots next to {@code to}'s (the highest-numbered of {@code from}'s when {@code to}
     * is the greater shard, else the lowest).
     *
     * @param from  the shard the slots leave
     * @param to    the shard they join
     * @param count how many, 1 to as many as {@code from} owns
     * @return the slot map's epoch after the move
     * @throws KvsException a {@link Refusal} when this store is not a sharded cluster's, or the move
     *                      is not possible (no such shard, too many slots, another move under way)
     */
    default long moveSlots(int from, int to, int count) throws KvsException {
        throw new Refusal("not a sharded cluster: there are no slots to move (kvs-server --shards)");
    }

    /**
     * Adds a shard to a sharded cluster (docs/CLUSTER.md, "Adding a shard"), a Raft group of the
     * processes {@code members} names: each the id of one of the cluster's processes, or
     * {@code ID=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT} for one that joined it
     * ({@code kvs-server --join}); the first is expected to lead it. The shard owns no slot until
     * slots move to it ({@link #moveSlots}, {@link #rebalance}).
     *
     * @param members 3 or 5 distinct processes
     * @return the new shard's number
     * @throws KvsException a {@link Refusal} when this store is not a sharded cluster's, or the
     *                      members are not valid; another if the shard cannot be started now
     */
    default int addShard(java.util.List<String> members) throws KvsException {
        throw new Refusal("not a sharded cluster: there are no shards to add (kvs-server --shards)");
    }

    /**
     * Moves slots between a sharded cluster's shards, one move at a time, until each owns an even
     * share of them (give or take one), while clients go on.
     *
     * @return how many slots moved
     * @throws KvsException a {@link Refusal} when this store is not a sharded cluster's, or another
     *                      move is under way
     */
    default int rebalance() throws KvsException {
        throw new Refusal("not a sharded cluster: there are no slots to move (kvs-server --shards)");
    }

    /**
     * Sets {@code key} to {@code value}.
     *
     * @param key   the key
     * @param value the value, any bytes
     * @throws Refusal     if the store refuses the pair (a key or value too long)
     * @throws KvsException if the write cannot be made durable per the store's policy
     */
    default void set(Bytes key, Bytes value) throws KvsException {
        one(Write.set(key, value));
    }

    /**
     * Sets {@code key} to {@code value} with {@code deadline} (Unix milliseconds, or
     * {@link Entry#NONE}).
     *
     * @param key      the key
     * @param value    the value, any bytes
     * @param deadline when the key expires, in Unix milliseconds, or {@link Entry#NONE}
     * @throws Refusal     if the store refuses the pair or the deadline
     * @throws KvsException if the write cannot be made durable per the store's policy
     */
    default void set(Bytes key, Bytes value, long deadline) throws KvsException {
        one(Write.set(key, value, deadline));
    }

    /**
     * Removes {@code key}; whether it was present.
     *
     * @param key the key to remove
     * @return whether the key was present
     * @throws Refusal     if the store refuses the key
     * @throws KvsException if the write cannot be made durable per the store's policy
     */
    default boolean remove(Bytes key) throws KvsException {
        return one(Write.remove(key));
    }

    /**
     * Runs {@code transaction} with every other write held off and commits what it wrote; returns
     * its result.
     *
     * @param <R>         the transaction's result type
     * @param transaction the reads and writes to run as one
     * @return the transaction's result
     * @throws Refusal if the transaction refused
     * @throws KvsException if the store fails to read or commit
     */
    default <R> R transact(Transaction<R> transaction) throws KvsException {
        return one(Write.transaction(transaction));
    }

    /**
     * Runs {@code transaction} as {@link #transact(Transaction)} does, if {@code watch} still holds
     * when it runs: no watched key written, removed or expired since it was added.
     *
     * @param <R>         the transaction's result type
     * @param transaction the reads and writes to run as one
     * @param watch       the keys that must not have changed
     * @return the transaction's result
     * @throws WatchBroken if a watched key changed: nothing ran, nothing was written
     * @throws Refusal     if the transaction refused
     * @throws KvsException if the store fails to read or commit
     */
    default <R> R transact(Transaction<R> transaction, Watch watch) throws KvsException {
        return one(Write.transaction(transaction, watch));
    }

    private <R> R one(Write<R> write) throws KvsException {
        writeAll(List.of(write));
        return write.outcome().get();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the key or value holds an unpaired surrogate, or the store refuses them
     */
    @Override
    default void set(String key, String value) throws KvsException {
        try {
            set(Bytes.utf8(key), Bytes.utf8(value));
        } catch (Refusal r) {
            throw new IllegalArgumentException(r.getMessage(), r);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws KvsException if the value is not valid UTF-8 (read it with {@link #get(Bytes)})
     */
    @Override
    default Optional<String> get(String key) throws KvsException {
        Bytes k;
        try {
            k = Bytes.utf8(key);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // no such key can have been set
        }
        Bytes v = get(k);
        if (v == null) {
            return Optional.empty();
        }
        String text = v.utf8OrNull();
        if (text == null) {
            throw new KvsException("the value of '" + key + "' is not UTF-8 text (" + v.length()
                    + " bytes); read it with get(Bytes)");
        }
        return Optional.of(text);
    }

    @Override
    default void remove(String key) throws KvsException {
        Bytes k;
        try {
            k = Bytes.utf8(key);
        } catch (IllegalArgumentException e) {
            throw new KeyNotFoundException(); // no such key can have been set
        }
        if (!remove(k)) {
            throw new KeyNotFoundException();
        }
    }
}
