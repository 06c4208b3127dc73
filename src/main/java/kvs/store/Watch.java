package kvs.store;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import kvs.KvsException;

/**
 * A client's watch of keys of one store (Redis's WATCH): a transaction made with it
 * ({@link Write#transaction(Transaction, Watch)}) commits only if no watched key was written or
 * removed since it was added to the watch, by any writer, and none that was present then has
 * expired since; otherwise the store refuses it with {@link WatchBroken}, writing nothing. The
 * store decides in the transaction's place among its writes, so nothing can come between the
 * check and the commit.
 * <p>
 * Used by one thread at a time (a connection's); {@link #close} lets go of every key, and a
 * watch left open holds a few bytes per key and costs each write of a watched key one counter.
 */
public final class Watch implements AutoCloseable {

    /**
     * A key held: its slot in the store's table, its version when added, whether it was present
     * then, and its deadline then if it was present with one.
     */
    private record Held(Watches.Slot slot, long version, boolean present, long deadline) {
    }

    private final Store store;
    private final Watches table;
    private final Map<Bytes, Held> held = new LinkedHashMap<>();

    private Watch(Store store) {
        this.store = store;
        this.table = store.watches();
    }

    /**
     * An empty watch of {@code store}'s keys.
     *
     * @param store the store whose writes break the watch
     * @return a watch of no key yet; close it to let go
     */
    public static Watch on(Store store) {
        return new Watch(store);
    }

    /**
     * Watches {@code key} from now on; a key already watched keeps its first version.
     *
     * @param key the key to watch
     * @throws KvsException if the key cannot be read (its deadline is noted)
     */
    public void add(Bytes key) throws KvsException {
        addAll(List.of(key));
    }

    /**
     * Watches each of {@code keys} from now on, as {@link #add} does, reading them with one
     * {@link Store#entries} (a group member: after one ReadIndex). Nothing is added if they
     * cannot be read.
     *
     * @param keys the keys to watch
     * @throws KvsException if the keys cannot be read (their deadlines are noted)
     */
    public void addAll(List<Bytes> keys) throws KvsException {
        Set<Bytes> fresh = new LinkedHashSet<>();
        for (Bytes k : keys) {
            if (!held.containsKey(k)) {
                fresh.add(Objects.requireNonNull(k, "key"));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<Bytes> adding = List.copyOf(fresh);
        List<Watches.Slot> slots = new ArrayList<>(adding.size());
        try {
            for (Bytes k : adding) {
                slots.add(table.hold(k));
            }
            // The writer publishes a write, then looks the key up (Watches.touched); this registers
            // the key, then reads it: with a full fence on each side, one of the two sees the other.
            VarHandle.fullFence();
            long[] versions = new long[slots.size()];
            for (int i = 0; i < versions.length; i++) {
                versions[i] = slots.get(i).version.get(); // before the read: a write published after it moves the version
            }
            List<Entry> entries = store.entries(adding);
            for (int i = 0; i < versions.length; i++) {
                Entry e = entries.get(i);
                held.put(adding.get(i), new Held(slots.get(i), versions[i], e != null, e == null ? Entry.NONE : e.deadline()));
            }
        } catch (KvsException | RuntimeException e) {
            for (int i = 0; i < slots.size(); i++) {
                table.release(adding.get(i), slots.get(i));
            }
            throw e;
        }
    }

    /**
     * The keys watched.
     *
     * @return the watched keys, in the order they were added
     */
    public Set<Bytes> keys() {
        return held.keySet();
    }

    /**
     * Whether no key is watched.
     *
     * @return whether no key is watched
     */
    public boolean isEmpty() {
        return held.isEmpty();
    }

    /**
     * The first watched key that changed, or null if none did: its version moved; or the store's
     * group wrote it before this check (its writes are not visible to readers yet, so not yet
     * counted): set it ({@code setSince}), or removed it ({@code removedSince}) while it was
     * present when watched; or it was present with a deadline that has passed by {@code now}.
     * <p>
     * A removal counts only for a key present when watched, as the store's touches count only the
     * removal of a present key: with the version unmoved, a key present then is present until
     * the group removes it, or its deadline passes (which the deadline rule catches), and one
     * absent then (never set, or past its deadline) stays absent, so removing it changes nothing.
     */
    Bytes changed(long now, Predicate<Bytes> setSince, Predicate<Bytes> removedSince) {
        for (Map.Entry<Bytes, Held> e : held.entrySet()) {
            Held h = e.getValue();
            Bytes k = e.getKey();
            if (h.slot.version.get() != h.version || setSince.test(k) || h.present && removedSince.test(k)
                    || h.deadline != Entry.NONE && Entry.expired(h.deadline, now)) {
                return k;
            }
        }
        return null;
    }

    /** Stops watching every key (UNWATCH, EXEC, DISCARD, a closed connection); the watch may be used again. */
    @Override
    public void close() {
        held.forEach((k, h) -> table.release(k, h.slot));
        held.clear();
    }
}
