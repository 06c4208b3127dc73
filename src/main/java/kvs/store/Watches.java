package kvs.store;

import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys clients watch on one store (Redis's WATCH), each with a version that every write of
 * the key moves once it is visible to readers. A store owns one and calls {@link #touched} for
 * each key a write sets or removes, after publishing it; a {@link Watch} notes the versions of
 * its keys and a transaction made with it commits only if none has moved.
 * <p>
 * A write costs one check of an empty table while no key is watched, and one map lookup per key
 * it writes while any is: watching keys does not slow writes of other keys. Touching after
 * publishing is what makes a watch exact: a write the watcher could not have seen (published
 * after its key was registered) always moves the version; one published before may move it too,
 * which only makes its transaction abort needlessly.
 */
public final class Watches {

    /** A watched key: its version, and how many watches hold it. */
    static final class Slot {
        final AtomicLong version = new AtomicLong();
        /** Changed only inside the map's compute for the key. */
        int watchers;
    }

    private final ConcurrentHashMap<Bytes, Slot> slots = new ConcurrentHashMap<>();

    /** An empty table: every store implementation owns one. */
    public Watches() {
    }

    /**
     * A write of {@code key} is now visible to readers: a watch of it no longer holds. Called by
     * the store's writer after it published the write, for a set, and for a removal of a key that
     * was present (stored, and not past its deadline as of the write's time).
     *
     * @param key the key written
     */
    public void touched(Bytes key) {
        // The write was published with a release store at best: without a full fence this lookup
        // could miss a key a watcher registers meanwhile while the watcher reads the old value.
        VarHandle.fullFence();
        if (slots.isEmpty()) {
            return;
        }
        Slot s = slots.get(key);
        if (s != null) {
            s.version.incrementAndGet();
        }
    }

    /**
     * How many distinct keys are watched now.
     *
     * @return the number of keys with at least one watch
     */
    public int watchedKeys() {
        return slots.size();
    }

    /** Registers a watcher of {@code key}; its slot, whose version the watcher notes after this returns. */
    Slot hold(Bytes key) {
        return slots.compute(key, (k, s) -> {
            Slot slot = s == null ? new Slot() : s;
            slot.watchers++;
            return slot;
        });
    }

    /** Lets go of a watcher of {@code key}'s {@code slot}; the key is forgotten with its last watcher. */
    void release(Bytes key, Slot slot) {
        slots.computeIfPresent(key, (k, s) -> s != slot || --s.watchers > 0 ? s : null);
    }
}
