package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;

/**
 * KvStore's read path, without a lock: a key's index entry, its deadline checked against the
 * clock, then its value from the cache or its record, verified (checksum, key, deadline) before
 * it is returned or cached. A read that finds the record's file gone (compaction moved the record)
 * looks the key up again.
 */
final class RecordReads {

    /** Reads that find their file removed retry via the index; more than this many means a fault. */
    private static final int MAX_READ_ATTEMPTS = 16;

    /** What a read returns, made of the index entry it found and the value of the entry's record. */
    interface Reading<T> {
        T of(byte[] entry, StoredValue value);
    }

    static final Reading<StoredValue> VALUE = (entry, value) -> value;
    static final Reading<Entry> ENTRY = (entry, value) -> new Entry(value.bytes(), KeyIndex.deadline(entry));

    private final Path dir;
    private final Readers readers;
    private final ValueCache cache;
    private final InstantSource clock;
    /** Throws IllegalStateException once the store is closed. */
    private final Runnable ensureOpen;

    RecordReads(Path dir, Readers readers, ValueCache cache, InstantSource clock, Runnable ensureOpen) {
        this.dir = dir;
        this.readers = readers;
        this.cache = cache;
        this.clock = clock;
        this.ensureOpen = ensureOpen;
    }

    /**
     * The key {@code k} of {@code in} read {@code as} its entry and value (from the cache or its
     * record); null when it is not stored, or when its deadline has passed unless {@code expiredToo}.
     */
    <T> T read(KeyIndex in, byte[] k, boolean expiredToo, Reading<T> as) throws KvsException {
        int hash = KeyHash.of(k, 0, k.length);
        int cacheHash = KeyHash.local(k, 0, k.length);
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            byte[] entry = in.get(k, 0, k.length, hash);
            if (entry == null) {
                return null;
            }
            // The clock is read only for a key that has a deadline
            if (!expiredToo && KeyIndex.hasDeadline(entry) && KeyIndex.expired(entry, clock.millis())) {
                return null;
            }
            StoredValue cached = cache.get(cacheHash, entry);
            if (cached != null) {
                return as.of(entry, cached);
            }
            byte[] record;
            try {
                record = readers.read(KeyIndex.file(entry), KeyIndex.offset(entry), KeyIndex.length(entry));
            } catch (IOException e) {
                throw new KvsException("cannot read " + LogFiles.log(dir, KeyIndex.file(entry)) + ": "
                        + e.getMessage(), e);
            }
            if (record != null) {
                return as.of(entry, value(record, k, cacheHash, entry));
            }
            ensureOpen.run(); // the file went away: compaction moved the record, or the store closed
        }
        throw new KvsException("record of key " + Bytes.wrap(k) + " kept moving; gave up after "
                + MAX_READ_ATTEMPTS + " attempts");
    }

    /**
     * Checks the record read for the index entry {@code entry} of key {@code k} and returns its
     * value (and caches it); a wrong value is never returned.
     */
    private StoredValue value(byte[] r, byte[] k, int cacheHash, byte[] entry) throws CorruptionException {
        if (!Record.intact(r, 0, r.length)) {
            throw new CorruptionException(LogFiles.log(dir, KeyIndex.file(entry)), KeyIndex.offset(entry),
                    "checksum mismatch");
        }
        int keyLen = Record.keyLen(r, 0);
        int valueLen = Record.valueLen(r, 0);
        int keyStart = Record.keyStart(r, 0);
        if (valueLen < 0 || Record.length(r, 0) != r.length || Record.deadline(r, 0) != KeyIndex.deadline(entry)
                || !Arrays.equals(r, keyStart, keyStart + keyLen, k, 0, k.length)) {
            throw new CorruptionException(LogFiles.log(dir, KeyIndex.file(entry)), KeyIndex.offset(entry),
                    "record does not hold key " + KeyIndex.key(entry) + " as indexed");
        }
        StoredValue value = new StoredValue(Bytes.of(r, keyStart + keyLen, valueLen));
        cache.put(cacheHash, entry, value, valueLen);
        return value;
    }
}
