package kvs.engine;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import kvs.store.Bytes;
import kvs.store.Entry;

/**
 * The log record format, shared by the writer, the scanner and readers.
 *
 * <pre>
 * offset 0  crc32c    u32  over every byte after this field
 *        4  keyLen    u32  bit 31 set: the next record belongs to the same transaction;
 *                          bit 30 set: a record of the store's metadata, not of a key;
 *                          bit 29 set: the key has a deadline (format 3)
 *        8  valueLen  i32  -1 marks a tombstone (a removal)
 *       12  deadline  i64  only with bit 29: the key's deadline, Unix milliseconds (positive)
 *           key bytes, then value bytes (any bytes)
 * </pre>
 * Big-endian. A transaction's records (an MSET's, say) are written together, each but the last
 * with {@link #CONTINUED} set, so recovery can drop a transaction a crash cut short whole. A
 * {@link #META} record names a record of the store's metadata ({@code Store.meta}): its key is the
 * name's UTF-8, in a namespace of its own (format 2; format 1 has none). A {@link #DEADLINE}
 * record is a set of a key that expires (format 3); a record without one is byte for byte a
 * format-2 record, and a tombstone or a metadata record never has one.
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
    /** The keyLen bit that says a deadline follows the header. */
    static final int DEADLINE = 1 << 29;
    /** The bytes of a deadline. */
    static final int DEADLINE_BYTES = 8;
    private static final int FLAGS = CONTINUED | META | DEADLINE;

    private Record() {
    }

    /** Encodes a value record without a deadline, or a tombstone when {@code value} is null. */
    static byte[] encode(Bytes key, Bytes value) {
        return encode(key, value, Entry.NONE, false);
    }

    /**
     * Encodes a record: a set with {@code deadline} ({@link Entry#NONE} for none), or a tombstone
     * when {@code value} is null (and the deadline is ignored); {@code continued}: the next record
     * belongs to the same transaction.
     */
    static byte[] encode(Bytes key, Bytes value, long deadline, boolean continued) {
        return encode(key, value, value == null ? Entry.NONE : deadline, continued ? CONTINUED : 0);
    }

    /** Encodes a record of the store's metadata, or its removal when {@code value} is null. */
    static byte[] encodeMeta(Bytes name, Bytes value) {
        return encode(name, value, Entry.NONE, META);
    }

    private static byte[] encode(Bytes key, Bytes value, long deadline, int flags) {
        int valueLen = value == null ? TOMBSTONE : value.length();
        boolean expires = deadline != Entry.NONE;
        byte[] out = new byte[length(key.length(), valueLen, expires)];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(4, key.length() | flags | (expires ? DEADLINE : 0)).putInt(8, valueLen);
        int keyAt = HEADER;
        if (expires) {
            b.putLong(HEADER, deadline);
            keyAt += DEADLINE_BYTES;
        }
        key.copyTo(out, keyAt);
        if (value != null) {
            value.copyTo(out, keyAt + key.length());
        }
        b.putInt(0, crc(out, 0, out.length));
        return out;
    }

    /** The whole length of a record without a deadline, for the given header fields. */
    static int length(int keyLen, int valueLen) {
        return length(keyLen, valueLen, false);
    }

    /** The whole record's length for the given header fields; {@code deadline}: it has one. */
    static int length(int keyLen, int valueLen, boolean deadline) {
        return HEADER + (deadline ? DEADLINE_BYTES : 0) + keyLen + Math.max(valueLen, 0);
    }

    /** The whole length of the record whose header is at {@code off} (checked {@link #plausible}). */
    static int length(byte[] buf, int off) {
        return length(keyLen(buf, off), valueLen(buf, off), hasDeadline(buf, off));
    }

    /**
     * Whether the header at {@code off} is within the format's maxima, and has a deadline only
     * on a set of a key (says nothing of the bytes present).
     */
    static boolean plausible(byte[] buf, int off) {
        int keyLen = keyLen(buf, off);
        int valueLen = valueLen(buf, off);
        return keyLen >= 0 && keyLen <= MAX_KEY_BYTES && valueLen >= TOMBSTONE && valueLen <= MAX_VALUE_BYTES
                && (!hasDeadline(buf, off) || valueLen != TOMBSTONE && !meta(buf, off));
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

    /** Whether the record at {@code off} has a deadline. */
    static boolean hasDeadline(byte[] buf, int off) {
        return (ByteBuffer.wrap(buf).getInt(off + 4) & DEADLINE) != 0;
    }

    /** The deadline of the record at {@code off}, or {@link Entry#NONE}. */
    static long deadline(byte[] buf, int off) {
        return hasDeadline(buf, off) ? ByteBuffer.wrap(buf).getLong(off + HEADER) : Entry.NONE;
    }

    /** Where the key of the record at {@code off} starts in {@code buf}: after the header and any deadline. */
    static int keyStart(byte[] buf, int off) {
        return off + HEADER + (hasDeadline(buf, off) ? DEADLINE_BYTES : 0);
    }

    /** Where the value of the record at {@code off} starts in {@code buf}. */
    static int valueStart(byte[] buf, int off) {
        return keyStart(buf, off) + keyLen(buf, off);
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
