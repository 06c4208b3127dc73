package kvs.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small, bounded cache of values already read and verified, so hot keys are served from
 * memory rather than by a system call. Direct-mapped: a key's hash picks one slot, and a newer
 * value for another key in that slot simply replaces the old one. An entry names the exact
 * record it was read from by the index entry that pointed at it (compared by identity); the
 * caller passes the index entry of now, so an overwritten, removed or moved key misses and is
 * read again.
 * Reads take no lock: entries are immutable, and their final fields make a racy slot read safe.
 * <p>
 * Memory is bounded by the bytes of the values held, not by a count of small ones: a value too
 * big for the room left first clears a few slots after a moving hand (so a new working set
 * displaces an old one), and is not cached if that is not enough. The bound is a sixteenth of the
 * heap by default (see {@link #DEFAULT_MAX_BYTES}).
 */
final class ValueCache {

    /** Values above this many bytes of UTF-8 are not cached: no single value takes a large share. */
    static final int MAX_VALUE_BYTES = 64 << 10;
    /**
     * The default bound on the bytes of values held: a sixteenth of the maximum heap, between
     * 1 MiB and 256 MiB (256 MiB from a 4 GiB heap up).
     */
    static final long DEFAULT_MAX_BYTES = Math.clamp(Runtime.getRuntime().maxMemory() / 16, 1L << 20, 256L << 20);
    /**
     * Direct-mapped slots, one per this many bytes of the bound (a power of two, from 2^14 to 2^20):
     * the array costs a sixty-fourth of the bound (4-byte references). With n keys read at random, a
     * read hits with a chance of about (1 - e^-x) / x for x = n / slots: 100,000 keys hit 95% of the
     * time with the 2^20 slots of a 256 MiB bound, 83% with 2^18.
     */
    private static final int BYTES_PER_SLOT = 256;
    private static final int MIN_SLOTS = 1 << 14;
    private static final int MAX_SLOTS = 1 << 20;
    /** Slots a put may look at, clearing the full ones, to make room before it gives up. */
    private static final int MAX_SCAN = 256;

    private record Entry(Object record, String value, int bytes) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    private final AtomicLong bytes = new AtomicLong();
    /** The bytes of values held at once (exceeded at most by racing puts, one value each). */
    private final long maxBytes;
    /** The next slot to clear for room; racy, which only spreads evictions differently. */
    private int hand;

    ValueCache() {
        this(DEFAULT_MAX_BYTES);
    }

    ValueCache(long maxBytes) {
        this.maxBytes = maxBytes;
        int n = Integer.highestOneBit(Math.clamp(maxBytes / BYTES_PER_SLOT, MIN_SLOTS, MAX_SLOTS));
        this.slots = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The value of {@code record}, of a key with hash {@code keyHash}, if this cache holds it. */
    String get(int keyHash, Object record) {
        Entry e = slots.getPlain(slot(keyHash));
        return e != null && e.record == record ? e.value : null;
    }

    /** Remembers the verified {@code value} of {@code record}, if there is room for it. */
    void put(int keyHash, Object record, String value, int valueBytes) {
        if (valueBytes > MAX_VALUE_BYTES) {
            return;
        }
        int i = slot(keyHash);
        Entry old = slots.getPlain(i);
        long growth = valueBytes - (old == null ? 0 : old.bytes);
        for (int n = 0; n < MAX_SCAN && growth > 0 && bytes.get() + growth > maxBytes; n++) {
            int victim = hand = (hand + 1) & mask;
            if (victim != i && slots.getPlain(victim) != null) {
                account(null, slots.getAndSet(victim, null));
            }
        }
        if (growth > 0 && bytes.get() + growth > maxBytes) {
            return;
        }
        Entry e = new Entry(record, value, valueBytes);
        account(e, slots.getAndSet(i, e));
    }

    private void account(Entry added, Entry removed) {
        long delta = (added == null ? 0 : added.bytes) - (removed == null ? 0 : removed.bytes);
        if (delta != 0) {
            bytes.addAndGet(delta);
        }
    }

    /** Keys with nearby hashes (as keys that differ in a last digit have) take nearby slots, not colliding ones. */
    private int slot(int keyHash) {
        return (keyHash ^ (keyHash >>> 16)) & mask;
    }

    /** Bytes of the values held now. */
    long bytes() {
        return bytes.get();
    }
}
