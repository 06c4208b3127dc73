package kvs.engine;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import kvs.store.Bytes;

/**
 * The log record format, shared by the writer, the scanner and readers.
 *
 * <pre>
 * offset 0  crc32c    u32  over every byte after this field
 *        4  keyLen    u32  bit 31 set: the next record belongs to the same transaction;
 *                          bit 30 set: a record of the store's metadata, not of a key
 *        8  valueLen  i32  -1 marks a tombstone (a removal)
 *       12  key bytes, then value bytes (any bytes)
 * </pre>
 * Big-endian. A transaction's records (an MSET's, say) are written together, each but the last
 * with {@link #CONTINUED} set, so recovery can drop a transaction a crash cut short whole. A
 * {@link #META} record names a record of the store's metadata ({@code Store.meta}): its key is the
 * name's UTF-8, in a namespace of its own (format 2; format 1 has none).
 * Lengths are checked against {@link #MAX_KEY_BYTES} and {@link #MAX_VALUE_BYTES}
 * and against the bytes actually present before anything is allocated from them.
 */
final class Record {

    static final int HEADER = 12;
    static final int TOMBSTONE = -1;
    static final int MAX_KEY_BYTES = 1 << 28;
    static final int MAX_VALUE_BYTES = 1 << 28;
    /** The keyLen bit that says the next record belongs to the same transaction. */
    static final int CONTINUED = 1 << 31;
    /** The keyLen bit that says the record is the store's metadata. */
    static final int META = 1 << 30;
    private static final int FLAGS = CONTINUED | META;

    private Record() {
    }

    /** Encodes a value record, or a tombstone when {@code value} is null. */
    static byte[] encode(Bytes key, Bytes value) {
        return encode(key, value, false);
    }

    /** Encodes a record; {@code continued}: the next record belongs to the same transaction. */
    static byte[] encode(Bytes key, Bytes value, boolean continued) {
        return encode(key, value, continued ? CONTINUED : 0);
    }

    /** Encodes a record of the store's metadata, or its removal when {@code value} is null. */
    static byte[] encodeMeta(Bytes name, Bytes value) {
        return encode(name, value, META);
    }

    private static byte[] encode(Bytes key, Bytes value, int flags) {
        int valueLen = value == null ? TOMBSTONE : value.length();
        byte[] out = new byte[length(key.length(), valueLen)];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(4, key.length() | flags).putInt(8, valueLen);
        key.copyTo(out, HEADER);
        if (value != null) {
            value.copyTo(out, HEADER + key.length());
        }
        b.putInt(0, crc(out, 0, out.length));
        return out;
    }

    /** The whole record's length for the given header fields. */
    static int length(int keyLen, int valueLen) {
        return HEADER + keyLen + Math.max(valueLen, 0);
    }

    /** Whether header fields are within the format's maxima (says nothing of the bytes present). */
    static boolean plausible(int keyLen, int valueLen) {
        return keyLen >= 0 && keyLen <= MAX_KEY_BYTES && valueLen >= TOMBSTONE && valueLen <= MAX_VALUE_BYTES;
    }

    /** CRC32C of the record at {@code buf[off, off+len)}, excluding its stored checksum field. */
    static int crc(byte[] buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf, off + 4, len - 4);
        return (int) crc.getValue();
    }

    static int storedCrc(byte[] buf, int off) {
        return ByteBuffer.wrap(buf).getInt(off);
    }

    static int keyLen(byte[] buf, int off) {
        return ByteBuffer.wrap(buf).getInt(off + 4) & ~FLAGS;
    }

    /** Whether the record at {@code off} is the store's metadata. */
    static boolean meta(byte[] buf, int off) {
        return (ByteBuffer.wrap(buf).getInt(off + 4) & META) != 0;
    }

    /** Whether the next record belongs to the same transaction as the record at {@code off}. */
    static boolean continued(byte[] buf, int off) {
        return (ByteBuffer.wrap(buf).getInt(off + 4) & CONTINUED) != 0;
    }

    /**
     * The record at {@code buf[off, off+len)} as a record of its own: a copy without
     * {@link #CONTINUED} (and its checksum updated) if it has it, else null.
     */
    static byte[] alone(byte[] buf, int off, int len) {
        if (!continued(buf, off)) {
            return null;
        }
        byte[] out = java.util.Arrays.copyOfRange(buf, off, off + len);
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(4, b.getInt(4) & ~CONTINUED);
        b.putInt(0, crc(out, 0, len));
        return out;
    }

    static int valueLen(byte[] buf, int off) {
        return ByteBuffer.wrap(buf).getInt(off + 8);
    }

    /** Whether the complete record at {@code buf[off, off+len)} matches its checksum. */
    static boolean intact(byte[] buf, int off, int len) {
        return storedCrc(buf, off) == crc(buf, off, len);
    }
}
