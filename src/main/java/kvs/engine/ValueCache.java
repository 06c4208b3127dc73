package kvs.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small, bounded cache of values already read and verified, so hot keys are served from
 * memory rather than by a system call. Direct-mapped: a key's hash picks one slot, and a newer
 * value for another key in that slot simply replaces the old one. An entry names the exact
 * record it was read from by the index entry that pointed at it (compared by identity); the
 * caller passes the index entry of now, so an overwritten or removed key misses and is read
 * again. Compaction re-points an entry at its record's copy ({@link #moved}): same bytes.
 * Reads take no lock: entries are immutable, and their final fields make a racy slot read safe.
 * <p>
 * Memory is bounded by the bytes of the values held, not by a count of small ones: a value too
 * big for the room left first clears a few slots after a moving hand (so a new working set
 * displaces an old one), and is not cached if that is not enough. The bound is a sixteenth of the
 * heap by default (see {@link #DEFAULT_MAX_BYTES}).
 * <p>
 * Admission: a value costs the collector in proportion to its bytes (each young collection
 * copies what the cache holds until it is old, and what it evicts is old garbage), while a hit
 * saves about one read whatever the size. So a value of {@link #ADMIT_AT_ONCE_BELOW} bytes or
 * more, or any value that would evict others, is cached only on its key's second miss within a
 * window (a doorkeeper, as in TinyLFU). Keys read again soon are cached as before; a large key
 * space read at random no longer churns the cache: 4 KiB gets over 1,000,000 keys read
 * 35,000-110,000/s, falling as a trial went on, with every miss cached, and about 190,000/s
 * steadily with the doorkeeper (bench/history/issue-14.md, fourth session).
 */
final class ValueCache {

    /** Values above this many bytes are not cached: no single value takes a large share. */
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
    /** Values this small are cached at their first miss while there is room; larger ones pass the doorkeeper. */
    static final int ADMIT_AT_ONCE_BELOW = 1024;
    /** The doorkeeper forgets every miss after this many slots' worth of them, divided: a window of 1/64 of the slots. */
    private static final int WINDOW_SHIFT = 6;

    private record Entry(Object record, StoredValue value, int bytes) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    private final AtomicLong bytes = new AtomicLong();
    /** The bytes of values held at once (exceeded at most by racing puts, one value each). */
    private final long maxBytes;
    /** The next slot to clear for room; racy, which only spreads evictions differently. */
    private int hand;
    /** The doorkeeper: one bit per slot, set for a key hash that missed in this window. Racy: a lost bit delays one admission. */
    private final long[] missed;
    /** Turns a hash into a bit index of {@link #missed}. */
    private final int missedShift;
    /** Misses the doorkeeper has seen in this window; racy, like {@link #hand}. */
    private int windowMisses;

    ValueCache() {
        this(DEFAULT_MAX_BYTES);
    }

    ValueCache(long maxBytes) {
        this.maxBytes = maxBytes;
        int n = Integer.highestOneBit(Math.clamp(maxBytes / BYTES_PER_SLOT, MIN_SLOTS, MAX_SLOTS));
        this.slots = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
        this.missed = new long[n >>> 6];
        this.missedShift = Integer.numberOfLeadingZeros(n) + 1;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The value of {@code record}, of a key with hash {@code keyHash}, if this cache holds it. */
    StoredValue get(int keyHash, Object record) {
        Entry e = slots.getPlain(slot(keyHash));
        return e != null && e.record == record ? e.value : null;
    }

    /** Remembers the verified {@code value} of {@code record}, read after a miss, if it is admitted and there is room for it. */
    void put(int keyHash, Object record, StoredValue value, int valueBytes) {
        if (valueBytes > MAX_VALUE_BYTES) {
            return;
        }
        int i = slot(keyHash);
        Entry old = slots.getPlain(i);
        long growth = valueBytes - (old == null ? 0 : old.bytes);
        boolean evicts = growth > 0 && bytes.get() + growth > maxBytes;
        if ((valueBytes >= ADMIT_AT_ONCE_BELOW || evicts) && !missedBefore(keyHash)) {
            return;
        }
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

    /**
     * Keeps the value of {@code from} for {@code to}, the entry of the same record's copy:
     * compaction moved it, and the value is the same bytes. Without this a compaction would turn
     * every cached value into a miss (a read from disk), each key's next read after every pass.
     */
    void moved(int keyHash, Object from, Object to) {
        int i = slot(keyHash);
        Entry e = slots.getPlain(i);
        if (e != null && e.record == from) {
            slots.compareAndSet(i, e, new Entry(to, e.value, e.bytes));
        }
    }

    /** Whether {@code keyHash} missed before in this window; remembers that it has now. */
    private boolean missedBefore(int keyHash) {
        int bit = (keyHash * 0x9E3779B9) >>> missedShift;
        long mask = 1L << bit;
        long word = missed[bit >>> 6];
        if ((word & mask) != 0) {
            return true;
        }
        missed[bit >>> 6] = word | mask;
        if (++windowMisses > slots.length() >>> WINDOW_SHIFT) {
            java.util.Arrays.fill(missed, 0);
            windowMisses = 0;
        }
        return false;
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
