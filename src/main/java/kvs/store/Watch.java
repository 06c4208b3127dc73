package kvs.store;

import java.util.LinkedHashMap;
import java.util.Map;
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

    /** A key held: its slot in the store's table, its version when added, and its deadline then if it was present with one. */
    private record Held(Watches.Slot slot, long version, long deadline) {
    }

    private final Store store;
    private final Watches table;
    private final Map<Bytes, Held> held = new LinkedHashMap<>();

    private Watch(Store store) {
        this.store = store;
        this.table = store.watches();
    }

    /** An empty watch of {@code store}'s keys. */
    public static Watch on(Store store) {
        return new Watch(store);
    }

    /**
     * Watches {@code key} from now on; a key already watched keeps its first version.
     *
     * @throws KvsException if the key cannot be read (its deadline is noted)
     */
    public void add(Bytes key) throws KvsException {
        if (held.containsKey(key)) {
            return;
        }
        Watches.Slot slot = table.hold(key);
        try {
            long version = slot.version.get(); // before the read: a write published after it moves the version
            Entry e = store.entry(key);
            held.put(key, new Held(slot, version, e == null ? Entry.NONE : e.deadline()));
        } catch (KvsException | RuntimeException e) {
            table.release(key, slot);
            throw e;
        }
    }

    /** The keys watched. */
    public Set<Bytes> keys() {
        return held.keySet();
    }

    public boolean isEmpty() {
        return held.isEmpty();
    }

    /**
     * The first watched key that changed, or null if none did: its version moved, or
     * {@code writtenSince} says the store's group wrote it before this check (not yet visible to
     * readers, so not yet counted), or it was present with a deadline that has passed by {@code now}.
     */
    Bytes changed(long now, Predicate<Bytes> writtenSince) {
        for (Map.Entry<Bytes, Held> e : held.entrySet()) {
            Held h = e.getValue();
            if (h.slot.version.get() != h.version || writtenSince.test(e.getKey())
                    || h.deadline != Entry.NONE && Entry.expired(h.deadline, now)) {
                return e.getKey();
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
