package kvs.engine;

/**
 * A small, bounded cache of values already read and verified, so hot keys are served from
 * memory rather than by a system call. Direct-mapped: a key's hash picks one slot, and a newer
 * value for another key in that slot simply replaces the old one. An entry names the exact
 * record ({@link Loc}, compared by identity) it was read from; the caller passes the record the
 * index points at now, so an overwritten, removed or moved key misses and is read again.
 * Reads and writes take no lock: entries are immutable, and their final fields make a racy
 * slot read safe.
 */
final class ValueCache {

    /** Values above this many bytes of UTF-8 are not cached, which bounds the cache's memory. */
    static final int MAX_VALUE_BYTES = 1024;
    /** Slots in the cache: at most about 16 MiB of values. */
    private static final int SLOTS = 1 << 14;

    private record Entry(Loc loc, String value) {
    }

    private final Entry[] slots = new Entry[SLOTS];

    /** The value of the record at {@code loc}, if this cache holds it. */
    String get(String key, Loc loc) {
        Entry e = slots[slot(key)];
        return e != null && e.loc == loc ? e.value : null;
    }

    /** Remembers the verified {@code value} of the record at {@code loc}, if it is small enough. */
    void put(String key, Loc loc, String value, int valueBytes) {
        if (valueBytes <= MAX_VALUE_BYTES) {
            slots[slot(key)] = new Entry(loc, value);
        }
    }

    private static int slot(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
