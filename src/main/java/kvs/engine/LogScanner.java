package kvs.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a log file's records in order, validating each, and decides what a bad record means:
 * in the newest file a bad record followed by nothing valid is a torn tail (a write cut short
 * by a crash), and so is a transaction whose last record is missing (its records are dropped
 * with it); anything else is corruption, reported with file and offset unless salvaging.
 */
final class LogScanner {

    private static final Logger log = LoggerFactory.getLogger(LogScanner.class);

    /** Receives each valid record, in file order. */
    interface Visitor {
        void record(Entry e) throws IOException;
    }

    /** A valid record in the scan window; valid only during {@link Visitor#record}. */
    final class Entry {
        private int start;
        private int length;
        private long offset;

        long offset() {
            return offset;
        }

        int length() {
            return length;
        }

        boolean tombstone() {
            return Record.valueLen(window.buffer(), start) == Record.TOMBSTONE;
        }

        int keyLength() {
            return Record.keyLen(window.buffer(), start);
        }

        /** Where the key starts in {@link #bytes()}. */
        int keyStart() {
            return Record.keyStart(window.buffer(), start);
        }

        /** The key's deadline, or {@code Entry.NONE}. */
        long deadline() {
            return Record.deadline(window.buffer(), start);
        }

        /** Whether the record is the store's metadata. */
        boolean meta() {
            return Record.meta(window.buffer(), start);
        }

        /** The record's bytes, from {@code bytes()[start()]} for {@code length()} bytes. */
        byte[] bytes() {
            return window.buffer();
        }

        int start() {
            return start;
        }
    }

    /** How the scan ended: the end of the last valid record and the bytes dropped before it. */
    record Result(long validEnd, long droppedBytes) {
    }

    private final Path path;
    private final LogWindow window;
    private final long size;
    private final Entry entry = new Entry();
    /** Where the last transaction found incomplete broke off. */
    private long brokenAt;

    private LogScanner(Path path, LogWindow window) {
        this.path = path;
        this.window = window;
        this.size = window.size();
    }

    /**
     * Scans {@code path}, passing each valid record to {@code visitor}.
     *
     * @param newest  whether this is the newest log file, where a torn tail is expected after a crash
     * @param salvage skip bad records and keep every valid one instead of failing
     * @throws CorruptionException a bad record that is not a torn tail, when not salvaging
     */
    static Result scan(Storage storage, Path path, boolean newest, boolean salvage, Visitor visitor)
            throws IOException, CorruptionException {
        try (LogWindow window = new LogWindow(storage, path)) {
            return new LogScanner(path, window).run(newest, salvage, visitor);
        }
    }

    private Result run(boolean newest, boolean salvage, Visitor visitor) throws IOException, CorruptionException {
        long pos = 0;
        long dropped = 0;
        while (pos < size) {
            if (tryRecord(pos)) {
                if (newest && Record.continued(window.buffer(), entry.start)) {
                    long end = transactionEnd(pos);
                    if (end > 0) {
                        visitAll(pos, end, visitor);
                        pos = end;
                        continue;
                    }
                    if (nextValid(brokenAt + 1) < 0) {
                        log.warn("{}: truncating a transaction cut short by a crash and what follows it: {} bytes at offset {}",
                                path, size - pos, pos);
                        return new Result(pos, dropped);
                    }
                    tryRecord(pos); // a bad record inside it, valid ones after: corruption, reported when reached
                }
                visitor.record(entry);
                pos += entry.length;
                continue;
            }
            long next = nextValid(pos + 1);
            if (next < 0 && newest) {
                log.warn("{}: truncating a torn tail of {} bytes at offset {} (a write cut short by a crash)",
                        path, size - pos, pos);
                return new Result(pos, dropped);
            }
            if (!salvage) {
                throw new CorruptionException(path, pos, next < 0
                        ? "bad record in a sealed file"
                        : "bad record followed by valid records at offset " + next);
            }
            long end = next < 0 ? size : next;
            log.warn("{}: salvage dropped {} bad bytes at offset {}", path, end - pos, pos);
            dropped += end - pos;
            pos = end;
        }
        return new Result(pos, dropped);
    }

    /**
     * Where the transaction whose first record is at {@code pos} ends, after its last record (the
     * one without {@link Record#CONTINUED}); -1 if the file ends, or a bad record comes, first,
     * and then {@link #brokenAt} is where.
     */
    private long transactionEnd(long pos) throws IOException {
        long q = pos;
        while (tryRecord(q)) {
            boolean more = Record.continued(window.buffer(), entry.start);
            q += entry.length;
            if (!more) {
                return q;
            }
        }
        brokenAt = q;
        return -1;
    }

    /** Visits the valid records of {@code [from, to)}, in order. */
    private void visitAll(long from, long to, Visitor visitor) throws IOException {
        for (long q = from; q < to; q += entry.length) {
            tryRecord(q);
            visitor.record(entry);
        }
    }

    private long nextValid(long from) throws IOException {
        for (long q = from; q + Record.HEADER <= size; q++) {
            if (tryRecord(q)) {
                return q;
            }
        }
        return -1;
    }

    /** Whether a valid record starts at {@code pos}; if so {@link #entry} describes it. */
    private boolean tryRecord(long pos) throws IOException {
        if (size - pos < Record.HEADER) {
            return false;
        }
        int start = window.load(pos, Record.HEADER);
        if (!Record.plausible(window.buffer(), start)) {
            return false;
        }
        long length = Record.length(window.buffer(), start);
        if (length > size - pos) {
            return false;
        }
        if (length > LogWindow.BYTES
                && !crcMatchesStreaming(pos, (int) length, Record.storedCrc(window.buffer(), start))) {
            return false; // checked before a buffer of that size is trusted
        }
        start = window.load(pos, (int) length);
        if (!Record.intact(window.buffer(), start, (int) length)) {
            return false;
        }
        entry.start = start;
        entry.length = (int) length;
        entry.offset = pos;
        return true;
    }

    private boolean crcMatchesStreaming(long pos, int length, int stored) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = ByteBuffer.allocate(LogWindow.BYTES);
        for (long p = pos + 4, end = pos + length; p < end; ) {
            chunk.clear().limit((int) Math.min(LogWindow.BYTES, end - p));
            window.readFully(chunk, p);
            crc.update(chunk.flip());
            p += chunk.limit();
        }
        return (int) crc.getValue() == stored;
    }
}
