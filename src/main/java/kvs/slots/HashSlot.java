package kvs.slots;

import kvs.store.Bytes;

/**
 * A key's hash slot, as Redis Cluster computes it, so that every cluster-aware client computes the
 * same one: CRC16 (the XMODEM variant: polynomial 0x1021, initial value 0, no reflection, no final
 * xor) of the key, modulo 16,384. A key with a hash tag, a {@code {...}} holding at least one byte,
 * hashes that tag alone (the bytes between its first {@code {} and the first {@code }} after it),
 * so that keys sharing a tag share a slot; {@code {}} with nothing inside is no tag.
 */
public final class HashSlot {

    /** How many slots the keyspace has: 0 to 16,383. */
    public static final int SLOTS = 16_384;

    private static final char[] TABLE = table();

    private HashSlot() {
    }

    /**
     * The slot of {@code key}.
     *
     * @param key any bytes
     * @return 0 to {@link #SLOTS} - 1
     */
    public static int of(Bytes key) {
        int open = indexOf(key, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(key, (byte) '}', open + 1);
            if (close > open + 1) {
                return crc16(key, open + 1, close) & (SLOTS - 1);
            }
        }
        return crc16(key, 0, key.length()) & (SLOTS - 1);
    }

    /** What {@link #common} answers for keys in several slots. */
    public static final int SEVERAL = -2;

    /**
     * The slot all of {@code keys} hash to, or {@link #SEVERAL} when they do not share one (Redis
     * Cluster's CROSSSLOT).
     *
     * @param keys one key or more
     * @return 0 to {@link #SLOTS} - 1, or {@link #SEVERAL}
     */
    public static int common(java.util.List<Bytes> keys) {
        int slot = of(keys.get(0));
        for (int i = 1; i < keys.size(); i++) {
            if (of(keys.get(i)) != slot) {
                return SEVERAL;
            }
        }
        return slot;
    }

    /** CRC16-XMODEM of bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code key}. */
    static int crc16(Bytes key, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key.byteAt(i)) & 0xff]) & 0xffff;
        }
        return crc;
    }

    private static int indexOf(Bytes key, byte b, int from) {
        for (int i = from; i < key.length(); i++) {
            if (key.byteAt(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** The CRC of each byte value, most significant bit first. */
    private static char[] table() {
        char[] table = new char[256];
        for (int b = 0; b < 256; b++) {
            int crc = b << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            table[b] = (char) (crc & 0xffff);
        }
        return table;
    }
}
