package kvs.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;

/**
 * The index: each live key to the location of its latest record, in a compact open-addressing
 * table. Reads take no lock; one thread at a time writes (the group-commit leader, or
 * compaction and recovery while they hold writes off), so writes need no atomic instructions.
 *
 * <p>An entry is one immutable {@code byte[]}: the record's file, offset and length (big-endian
 * ints), then, only for a key that has a deadline (flagged by bit 30 of the length), the deadline
 * (a big-endian long, Unix milliseconds), then the key's bytes. A write makes a new entry and
 * publishes it with one release store, so a reader sees a location, deadline and key that belong
 * together, and an entry's identity names
 * one record (the value cache and compaction compare entries by identity). A slot, once given a
 * key, keeps that key for the life of its table: a removal leaves a tombstone entry of the same
 * key (file -1), and a later set of the key takes the same slot. So a reader that finds its key
 * in a slot reads that key's state, whatever the writer does meanwhile, and a probe may stop at
 * the first empty slot. Tombstones are dropped when the table is rebuilt, into a new table the
 * writer fills before publishing it; readers still in the old one see it as it was then, which
 * is a state the index had while they ran.
 *
 * <p>Memory per key at 1,000,000 keys (a table of 2^21 slots): an entry of 16 + 12 bytes plus the
 * key's bytes, rounded up to 8, and two 4-byte slot arrays at a load between 3/8 and 3/4. A key
 * with a deadline costs 8 bytes more, and not a byte else: its entry is 16 + 12 + 8 bytes plus
 * the key's, and as 8 is a multiple of the 8-byte rounding, ceil8(36 + k) = ceil8(28 + k) + 8
 * for every key length k (an 8-byte key: 40 bytes without a deadline, 48 with). The count of
 * such keys and the expiry cycle's scan ({@link #scanDeadlines}) need no structure of their own.
 */
final class KeyIndex {

    /** Bytes of an entry before its key or deadline: file, offset and length. */
    private static final int KEY = 12;
    /** The length field's bit that says the entry holds a deadline, at {@link #KEY}, before the key. */
    private static final int HAS_DEADLINE = 1 << 30;
    private static final int DEADLINE_BYTES = 8;
    /** The file of a tombstone entry. */
    private static final int REMOVED = -1;
    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;

    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(byte[][].class);
    private static final VarHandle HASHES = MethodHandles.arrayElementVarHandle(int[].class);

    /**
     * Slots: {@code hashes[i]} is 0 while slot i is empty, and is stored (release) after
     * {@code entries[i]}, so a reader that sees a hash sees its entry.
     */
    private static final class Table {
        final int[] hashes;
        final byte[][] entries;
        final int mask;
        /** Slots holding a key, live or tombstone; the writer's. */
        int used;

        Table(int capacity) {
            hashes = new int[capacity];
            entries = new byte[capacity][];
            mask = capacity - 1;
        }

        /** Rebuild once a new key would fill more than three quarters of the slots (so one stays empty). */
        boolean full() {
            return (used + 1) * 4L > 3L * (mask + 1);
        }
    }

    /** The smallest table: 16, or less for tests that want rebuilds with few keys. */
    private final int minCapacity;
    /** Replaced by the writer after it fills the new table. */
    private volatile Table table;
    /** Live keys; written by the writer only. */
    private volatile long size;
    /** Live keys that have a deadline; written by the writer only. */
    private volatile long withDeadline;

    KeyIndex() {
        this(MIN_CAPACITY);
    }

    /** An index whose table never has fewer than {@code minCapacity} slots (a power of two, at least 2). */
    KeyIndex(int minCapacity) {
        if (minCapacity < 2 || Integer.bitCount(minCapacity) != 1) {
            throw new IllegalArgumentException("minCapacity must be a power of two, at least 2: " + minCapacity);
        }
        this.minCapacity = minCapacity;
        this.table = new Table(minCapacity);
    }

    /** A new entry: the record at {@code file}/{@code offset} of {@code length} bytes, for the key in {@code b}, without a deadline. */
    static byte[] entry(byte[] b, int keyOff, int keyLen, int file, int offset, int length) {
        return entry(b, keyOff, keyLen, file, offset, length, Entry.NONE);
    }

    /** A new entry, for a key with {@code deadline} (Unix milliseconds, or {@link Entry#NONE}: then the entry holds none). */
    static byte[] entry(byte[] b, int keyOff, int keyLen, int file, int offset, int length, long deadline) {
        boolean expires = deadline != Entry.NONE;
        int keyAt = KEY + (expires ? DEADLINE_BYTES : 0);
        byte[] e = new byte[keyAt + keyLen];
        putInt(e, 0, file);
        putInt(e, 4, offset);
        putInt(e, 8, expires ? length | HAS_DEADLINE : length);
        if (expires) {
            putInt(e, KEY, (int) (deadline >>> 32));
            putInt(e, KEY + 4, (int) deadline);
        }
        System.arraycopy(b, keyOff, e, keyAt, keyLen);
        return e;
    }

    static int file(byte[] entry) {
        return getInt(entry, 0);
    }

    static int offset(byte[] entry) {
        return getInt(entry, 4);
    }

    static int length(byte[] entry) {
        return getInt(entry, 8) & ~HAS_DEADLINE;
    }

    static boolean hasDeadline(byte[] entry) {
        return (getInt(entry, 8) & HAS_DEADLINE) != 0;
    }

    /** The key's deadline, Unix milliseconds, or {@link Entry#NONE}. */
    static long deadline(byte[] entry) {
        return hasDeadline(entry) ? ((long) getInt(entry, KEY) << 32) | (getInt(entry, KEY + 4) & 0xffffffffL) : Entry.NONE;
    }

    /** Whether the key of {@code entry} is absent at {@code now}: its deadline has passed. */
    static boolean expired(byte[] entry, long now) {
        return hasDeadline(entry) && Entry.expired(deadline(entry), now);
    }

    /** Where the key starts in {@code entry}. */
    private static int keyAt(byte[] entry) {
        return hasDeadline(entry) ? KEY + DEADLINE_BYTES : KEY;
    }

    // Shifts rather than a byte-array view VarHandle, which Lincheck's model checker cannot follow.
    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** The value cache's hash of the key of {@code entry}. */
    static int cacheHash(byte[] entry) {
        int at = keyAt(entry);
        return KeyHash.local(entry, at, entry.length - at);
    }

    static Bytes key(byte[] entry) {
        int at = keyAt(entry);
        return Bytes.of(entry, at, entry.length - at);
    }

    /** Whether {@code entry} holds exactly the key {@code b[off, off + len)}. */
    static boolean holds(byte[] entry, byte[] b, int off, int len) {
        int at = keyAt(entry);
        return entry.length - at == len && Arrays.equals(entry, at, entry.length, b, off, off + len);
    }

    private static boolean removed(byte[] entry) {
        return file(entry) == REMOVED;
    }

    /** The live entry of the key {@code b[off, off + len)} with hash ({@link KeyHash#of}) {@code hash}, or null. */
    byte[] get(byte[] b, int off, int len, int hash) {
        Table t = table;
        int i = find(t, b, off, len, hash);
        if (i < 0) {
            return null;
        }
        byte[] e = (byte[]) ENTRIES.getAcquire(t.entries, i);
        return removed(e) ? null : e;
    }

    /** The slot holding the key, or {@code -1 - s} for the empty slot s that ends its probe. */
    private static int find(Table t, byte[] b, int off, int len, int hash) {
        for (int i = hash & t.mask; ; i = (i + 1) & t.mask) {
            int h = (int) HASHES.getAcquire(t.hashes, i);
            if (h == 0) {
                return -1 - i;
            }
            if (h == hash && holds((byte[]) ENTRIES.getAcquire(t.entries, i), b, off, len)) {
                return i;
            }
        }
    }

    /** Live keys; like a concurrent map's count, it may lag a write that is being published. */
    long size() {
        return size;
    }

    /** Live keys that have a deadline; may lag a write as {@link #size} does. */
    long withDeadline() {
        return withDeadline;
    }

    /** Keeps {@link #withDeadline} as {@code added} replaces {@code removed} (either may be null); writer only. */
    private void countDeadlines(byte[] added, byte[] removed) {
        int delta = (added != null && hasDeadline(added) ? 1 : 0) - (removed != null && hasDeadline(removed) ? 1 : 0);
        if (delta != 0) {
            withDeadline += delta;
        }
    }

    /**
     * Points {@code entry}'s key at {@code entry}; writer only.
     *
     * @return the live entry it replaces, or null
     */
    byte[] put(byte[] entry, int hash) {
        int at = keyAt(entry);
        int len = entry.length - at;
        Table t = table;
        int i = find(t, entry, at, len, hash);
        if (i >= 0) {
            byte[] old = t.entries[i];
            ENTRIES.setRelease(t.entries, i, entry);
            if (removed(old)) {
                size++;
                countDeadlines(entry, null);
                return null;
            }
            countDeadlines(entry, old);
            return old;
        }
        if (t.full()) {
            t = rebuild(size + 1);
            i = find(t, entry, at, len, hash);
        }
        i = -1 - i;
        t.entries[i] = entry;
        HASHES.setRelease(t.hashes, i, hash);
        t.used++;
        size++;
        countDeadlines(entry, null);
        return null;
    }

    /**
     * Removes the key {@code b[off, off + len)}; writer only.
     *
     * @return its live entry, or null if it had none
     */
    byte[] remove(byte[] b, int off, int len, int hash) {
        Table t = table;
        int i = find(t, b, off, len, hash);
        if (i < 0 || removed(t.entries[i])) {
            return null;
        }
        byte[] old = t.entries[i];
        removeAt(t, i, b, off, len);
        return old;
    }

    /** Leaves a tombstone of the key {@code b[off, off + len)} in slot {@code i} of {@code t}, which holds its live entry. */
    private void removeAt(Table t, int i, byte[] b, int off, int len) {
        byte[] old = t.entries[i];
        ENTRIES.setRelease(t.entries, i, entry(b, off, len, REMOVED, 0, 0));
        size--;
        countDeadlines(null, old);
        if (t.used - size > (t.mask + 1) >> 2) { // tombstones in a quarter of the slots: drop them
            rebuild(size);
        }
    }

    /**
     * Removes {@code from}'s key if {@code from} is still its entry; writer only. Compaction's
     * removal of a key whose deadline passed, which a write of the key since makes a no-op.
     * {@code slot}: as for {@link #replace}.
     */
    boolean removeIfStill(byte[] from, int slot) {
        Table t = table;
        int i = slotOf(t, from, slot);
        if (i < 0) {
            return false;
        }
        int at = keyAt(from);
        removeAt(t, i, from, at, from.length - at);
        return true;
    }

    /** The slot of {@code t} that holds {@code from} (looked for first at {@code slot}), or -1 if none does. */
    private static int slotOf(Table t, byte[] from, int slot) {
        if (slot <= t.mask && t.entries[slot] == from) {
            return slot;
        }
        int at = keyAt(from); // the table was rebuilt since
        int len = from.length - at;
        int i = find(t, from, at, len, KeyHash.of(from, at, len));
        return i >= 0 && t.entries[i] == from ? i : -1;
    }

    /**
     * Points {@code from}'s key at the record at {@code file}/{@code offset} (same length), if
     * {@code from} is still its entry; writer only. Compaction's swap to a record's copy. {@code slot}
     * is where {@link #forEach} found {@code from}: the entry is looked up only if it has moved since.
     *
     * @return the key's new entry, or null if {@code from} is no longer its entry
     */
    byte[] replace(byte[] from, int slot, int file, int offset) {
        Table t = table;
        int i = slotOf(t, from, slot);
        if (i < 0) {
            return null;
        }
        int at = keyAt(from);
        byte[] to = entry(from, at, from.length - at, file, offset, length(from), deadline(from));
        ENTRIES.setRelease(t.entries, i, to);
        return to;
    }

    /** Moves the live entries to a new table with room for {@code keys} at a load of at most a half. */
    private Table rebuild(long keys) {
        int capacity = minCapacity;
        while (capacity < MAX_CAPACITY && capacity < 2 * keys) {
            capacity <<= 1;
        }
        if (2 * keys > capacity) {
            throw new IllegalStateException("the index is full: " + keys + " keys");
        }
        Table old = table;
        Table fresh = new Table(capacity);
        for (int i = 0; i <= old.mask; i++) {
            byte[] e = old.entries[i];
            if (e != null && !removed(e)) {
                int h = old.hashes[i];
                int j = h & fresh.mask;
                while (fresh.hashes[j] != 0) {
                    j = (j + 1) & fresh.mask;
                }
                fresh.entries[j] = e;
                fresh.hashes[j] = h;
                fresh.used++;
            }
        }
        table = fresh; // publishes the filled arrays
        return fresh;
    }

    /** Visits each live entry; weakly consistent, as a concurrent map's iteration is. */
    interface Visitor {
        /** {@code slot}: where the entry was found, for {@link #replace}. */
        void entry(byte[] entry, int slot);
    }

    void forEach(Visitor visitor) {
        Table t = table;
        for (int i = 0; i <= t.mask; i++) {
            byte[] e = (byte[]) ENTRIES.getAcquire(t.entries, i);
            if (e != null && !removed(e)) {
                visitor.entry(e, i);
            }
        }
    }

    /**
     * Visits slots from {@code cursor} on (round the table), at most {@code maxSlots} of them, and
     * adds to {@code found} each live key with a deadline it passes, until it has added
     * {@code count}; returns the slot to go on from. A cursor from a table since rebuilt is taken
     * as a slot of the new one: a scan that goes round covers every key all the same.
     */
    int scanDeadlines(int cursor, int maxSlots, int count, List<KeyDeadline> found) {
        Table t = table;
        int slots = Math.min(maxSlots, t.mask + 1);
        int i = cursor & t.mask;
        for (int added = 0, visited = 0; visited < slots && added < count; visited++, i = (i + 1) & t.mask) {
            byte[] e = (byte[]) ENTRIES.getAcquire(t.entries, i);
            if (e != null && hasDeadline(e) && !removed(e)) {
                found.add(new KeyDeadline(key(e), deadline(e)));
                added++;
            }
        }
        return i;
    }

    /** Every stored key, decoded as it is reached; weakly consistent. */
    Iterator<Bytes> keys() {
        return keys(Long.MIN_VALUE);
    }

    /** The keys present at {@code now}: stored, and not past their deadline; decoded as they are reached, weakly consistent. */
    Iterator<Bytes> keys(long now) {
        Table t = table;
        return new Iterator<>() {
            private int i = -1;
            private byte[] next = advance();

            private byte[] advance() {
                while (++i <= t.mask) {
                    byte[] e = (byte[]) ENTRIES.getAcquire(t.entries, i);
                    if (e != null && !removed(e) && !expired(e, now)) {
                        return e;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Bytes next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Bytes key = key(next);
                next = advance();
                return key;
            }
        };
    }
}
