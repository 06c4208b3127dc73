package kvs.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import kvs.store.Bytes;

/**
 * The index: each live key to the location of its latest record, in a compact open-addressing
 * table. Reads take no lock; one thread at a time writes (the group-commit leader, or
 * compaction and recovery while they hold writes off), so writes need no atomic instructions.
 *
 * <p>An entry is one immutable {@code byte[]}: the record's file, offset and length (big-endian
 * ints), then the key's UTF-8 bytes. A write makes a new entry and publishes it with one release
 * store, so a reader sees a location and key that belong together, and an entry's identity names
 * one record (the value cache and compaction compare entries by identity). A slot, once given a
 * key, keeps that key for the life of its table: a removal leaves a tombstone entry of the same
 * key (file -1), and a later set of the key takes the same slot. So a reader that finds its key
 * in a slot reads that key's state, whatever the writer does meanwhile, and a probe may stop at
 * the first empty slot. Tombstones are dropped when the table is rebuilt, into a new table the
 * writer fills before publishing it; readers still in the old one see it as it was then, which
 * is a state the index had while they ran.
 *
 * <p>Memory per key at 1,000,000 keys (a table of 2^21 slots): an entry of 16 + 12 bytes plus the
 * key's bytes, rounded up to 8, and two 4-byte slot arrays at a load between 3/8 and 3/4.
 */
final class KeyIndex {

    /** Bytes of an entry before its key: file, offset and length. */
    private static final int KEY = 12;
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

    /** A new entry: the record at {@code file}/{@code offset} of {@code length} bytes, for the key in {@code b}. */
    static byte[] entry(byte[] b, int keyOff, int keyLen, int file, int offset, int length) {
        byte[] e = new byte[KEY + keyLen];
        putInt(e, 0, file);
        putInt(e, 4, offset);
        putInt(e, 8, length);
        System.arraycopy(b, keyOff, e, KEY, keyLen);
        return e;
    }

    static int file(byte[] entry) {
        return getInt(entry, 0);
    }

    static int offset(byte[] entry) {
        return getInt(entry, 4);
    }

    static int length(byte[] entry) {
        return getInt(entry, 8);
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

    static Bytes key(byte[] entry) {
        return Bytes.of(entry, KEY, entry.length - KEY);
    }

    /** Whether {@code entry} holds exactly the key {@code b[off, off + len)}. */
    static boolean holds(byte[] entry, byte[] b, int off, int len) {
        return entry.length - KEY == len && Arrays.equals(entry, KEY, entry.length, b, off, off + len);
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

    /**
     * Points {@code entry}'s key at {@code entry}; writer only.
     *
     * @return the live entry it replaces, or null
     */
    byte[] put(byte[] entry, int hash) {
        int len = entry.length - KEY;
        Table t = table;
        int i = find(t, entry, KEY, len, hash);
        if (i >= 0) {
            byte[] old = t.entries[i];
            ENTRIES.setRelease(t.entries, i, entry);
            if (removed(old)) {
                size++;
                return null;
            }
            return old;
        }
        if (t.full()) {
            t = rebuild(size + 1);
            i = find(t, entry, KEY, len, hash);
        }
        i = -1 - i;
        t.entries[i] = entry;
        HASHES.setRelease(t.hashes, i, hash);
        t.used++;
        size++;
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
        ENTRIES.setRelease(t.entries, i, entry(b, off, len, REMOVED, 0, 0));
        size--;
        if (t.used - size > (t.mask + 1) >> 2) { // tombstones in a quarter of the slots: drop them
            rebuild(size);
        }
        return old;
    }

    /**
     * Points {@code from}'s key at the record at {@code file}/{@code offset} (same length), if
     * {@code from} is still its entry; writer only. Compaction's swap to a record's copy. {@code slot}
     * is where {@link #forEach} found {@code from}: the entry is looked up only if it has moved since.
     */
    boolean replace(byte[] from, int slot, int file, int offset) {
        Table t = table;
        int i = slot;
        if (i > t.mask || t.entries[i] != from) { // the table was rebuilt since
            int len = from.length - KEY;
            i = find(t, from, KEY, len, KeyHash.of(from, KEY, len));
            if (i < 0 || t.entries[i] != from) {
                return false;
            }
        }
        ENTRIES.setRelease(t.entries, i, entry(from, KEY, from.length - KEY, file, offset, length(from)));
        return true;
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

    /** The live keys, decoded as they are reached; weakly consistent. */
    Iterator<Bytes> keys() {
        Table t = table;
        return new Iterator<>() {
            private int i = -1;
            private byte[] next = advance();

            private byte[] advance() {
                while (++i <= t.mask) {
                    byte[] e = (byte[]) ENTRIES.getAcquire(t.entries, i);
                    if (e != null && !removed(e)) {
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
