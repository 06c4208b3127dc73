package kvs.engine;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import kvs.store.Entry;

/**
 * A hint file lists a sealed log file's records (key → offset, length, tombstone) so open can
 * rebuild the index without reading values: start-up cost grows with keys, not log bytes.
 *
 * <pre>
 * entry*   keyLen u32 | offset u32 | length u32 | flags u8 | [deadline i64] | key bytes
 *          flags: bit 0 a tombstone, bit 1 the store's metadata (format 2),
 *                 bit 2 the key has a deadline, which follows the flags (format 3)
 * footer   count u32 | logSize u64 | magic "KVSH" | crc32c u32 over everything before it
 * </pre>
 * A hint that fails any check (checksum, sizes, the log's size) is ignored and its log scanned.
 */
final class HintFile {

    private static final int MAGIC = 0x4B565348; // "KVSH"
    private static final int ENTRY_HEADER = 13;
    private static final int DEADLINE_BYTES = 8;
    private static final int FOOTER = 4 + 8 + 4 + 4;
    private static final int TOMBSTONE = 1;
    private static final int META = 2;
    private static final int DEADLINE = 4;

    private HintFile() {
    }

    /** Receives each hinted record, in log order. */
    interface Visitor {
        /**
         * A record of the key {@code buf[keyOff, keyOff + keyLen)}, of {@code length} bytes at
         * {@code offset}, with {@code deadline} ({@code Entry.NONE} for none); {@code meta}: a
         * name of the store's metadata, not a key.
         */
        void record(byte[] buf, int keyOff, int keyLen, int offset, int length, long deadline, boolean tombstone,
                    boolean meta);
    }

    /** Streams a hint file to a temporary name; {@link #commit} makes it visible. */
    static final class Writer implements AutoCloseable {
        private final Storage storage;
        private final Path target;
        private final Path tmp;
        private final Storage.Appender file;
        private final CRC32C crc = new CRC32C();
        /** Entries are encoded here and written out a buffer at a time. */
        private byte[] buf = new byte[1 << 16];
        private int used;
        private int count;
        private boolean committed;

        /** Starts {@code target}'s temporary file, replacing one an interrupted writer left. */
        Writer(Storage storage, Path target) throws IOException {
            this.storage = storage;
            this.target = target;
            this.tmp = LogFiles.tmp(target);
            storage.delete(tmp);
            this.file = storage.create(tmp);
        }

        /** Adds the record at {@code start} of {@code bytes}, found at {@code offset} of the log. */
        void add(byte[] bytes, int start, long offset, int length) throws IOException {
            int keyLen = Record.keyLen(bytes, start);
            boolean expires = Record.hasDeadline(bytes, start);
            reserve(ENTRY_HEADER + (expires ? DEADLINE_BYTES : 0) + keyLen);
            putInt(keyLen);
            putInt((int) offset);
            putInt(length);
            buf[used++] = (byte) ((Record.valueLen(bytes, start) == Record.TOMBSTONE ? TOMBSTONE : 0)
                    | (Record.meta(bytes, start) ? META : 0) | (expires ? DEADLINE : 0));
            if (expires) {
                long deadline = Record.deadline(bytes, start);
                putInt((int) (deadline >>> 32));
                putInt((int) deadline);
            }
            System.arraycopy(bytes, Record.keyStart(bytes, start), buf, used, keyLen);
            used += keyLen;
            count++;
        }

        private void reserve(int n) throws IOException {
            if (used + n > buf.length) {
                flush();
                if (n > buf.length) {
                    buf = new byte[n];
                }
            }
        }

        private void putInt(int v) {
            buf[used] = (byte) (v >>> 24);
            buf[used + 1] = (byte) (v >>> 16);
            buf[used + 2] = (byte) (v >>> 8);
            buf[used + 3] = (byte) v;
            used += 4;
        }

        private void flush() throws IOException {
            crc.update(buf, 0, used);
            file.append(buf, 0, used);
            used = 0;
        }

        /**
         * Seals the hint for a log of {@code logSize} bytes, syncs it and renames it into place
         * (the rename is durable with the directory's next sync; until then the log is scanned).
         */
        void commit(long logSize) throws IOException {
            reserve(20);
            putInt(count);
            putInt((int) (logSize >>> 32));
            putInt((int) logSize);
            putInt(MAGIC);
            flush();
            putInt((int) crc.getValue()); // the CRC of every byte before this field
            file.append(buf, 0, used);
            used = 0;
            file.sync();
            file.close();
            storage.move(tmp, target);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                file.close();
                storage.delete(tmp);
            }
        }
    }

    /** What reading a hint found. */
    enum Use {
        /** The hint is sound and matches its log: its entries were visited. */
        APPLIED,
        /** Missing or failing a check: nothing was visited; the log must be scanned. */
        UNUSABLE,
        /** A sound hint written when its log was longer: the log has lost bytes since it was sealed. */
        LOG_SHORTER
    }

    /** Reads a hint for a log of {@code logSize} bytes; visits its entries only when {@link Use#APPLIED}. */
    static Use read(Storage storage, Path hint, long logSize, Visitor visitor) throws IOException {
        FileChannel ch;
        try {
            ch = storage.openRead(hint);
        } catch (NoSuchFileException e) {
            return Use.UNUSABLE;
        }
        try (ch) {
            return read(ch, logSize, visitor);
        }
    }

    private static Use read(FileChannel ch, long logSize, Visitor visitor) throws IOException {
        long hintSize = ch.size();
        long declared = declaredLogSize(ch, hintSize);
        // A hint entry takes 13 bytes per record of at least 12 (21 per one of at least 20 with a
        // deadline), so at most twice its log; a larger hint is not ours.
        if (declared < 0 || hintSize > FOOTER + 2 * declared || hintSize > Integer.MAX_VALUE - 8) {
            return Use.UNUSABLE;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) hintSize);
        readFully(ch, buf, 0);
        byte[] b = buf.array();
        int end = b.length - FOOTER;
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        if (buf.getInt(end + 12) != MAGIC || buf.getInt(end + 16) != (int) crc.getValue()) {
            return Use.UNUSABLE;
        }
        if (declared != logSize) {
            return declared > logSize ? Use.LOG_SHORTER : Use.UNUSABLE;
        }
        int count = buf.getInt(end);
        if (!entriesFit(buf, end, count, logSize)) {
            return Use.UNUSABLE;
        }
        for (int pos = 0, i = 0; i < count; i++) {
            int keyLen = buf.getInt(pos);
            int flags = b[pos + 12];
            int keyOff = pos + ENTRY_HEADER + extra(flags);
            long deadline = (flags & DEADLINE) != 0 ? buf.getLong(pos + ENTRY_HEADER) : Entry.NONE;
            visitor.record(b, keyOff, keyLen, buf.getInt(pos + 4), buf.getInt(pos + 8), deadline,
                    (flags & TOMBSTONE) != 0, (flags & META) != 0);
            pos = keyOff + keyLen;
        }
        return Use.APPLIED;
    }

    /** The log size a hint's footer states, before its checksum is checked; -1 if it cannot be one of ours. */
    private static long declaredLogSize(FileChannel ch, long hintSize) throws IOException {
        if (hintSize < FOOTER) {
            return -1;
        }
        ByteBuffer footer = ByteBuffer.allocate(FOOTER);
        readFully(ch, footer, hintSize - FOOTER);
        long declared = footer.getLong(4);
        boolean plausible = footer.getInt(12) == MAGIC && declared >= 0
                && declared <= LogFiles.MAX_LOG_BYTES;
        return plausible ? declared : -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        if (!Storage.readFully(ch, dst, pos)) {
            throw new EOFException("hint file shrank while being read");
        }
    }

    /** The bytes between an entry's flags and its key: a deadline's, if the flags say it has one. */
    private static int extra(int flags) {
        return (flags & DEADLINE) != 0 ? DEADLINE_BYTES : 0;
    }

    /**
     * Checks every entry's lengths and flags against the hint and log sizes before any is applied:
     * a deadline only on a set of a key, and a positive one.
     */
    private static boolean entriesFit(ByteBuffer buf, int end, int count, long logSize) {
        int pos = 0;
        for (int i = 0; i < count; i++) {
            if (end - pos < ENTRY_HEADER) {
                return false;
            }
            int keyLen = buf.getInt(pos);
            long offset = Integer.toUnsignedLong(buf.getInt(pos + 4));
            int length = buf.getInt(pos + 8);
            int flags = buf.get(pos + 12);
            boolean expires = (flags & DEADLINE) != 0;
            int head = ENTRY_HEADER + extra(flags);
            if ((flags & ~(TOMBSTONE | META | DEADLINE)) != 0 || keyLen < 0 || keyLen > end - pos - head
                    || length < Record.length(keyLen, 0, expires) || offset + length > logSize
                    || expires && ((flags & (TOMBSTONE | META)) != 0 || buf.getLong(pos + ENTRY_HEADER) <= 0)) {
                return false;
            }
            pos += head + keyLen;
        }
        return pos == end;
    }
}
