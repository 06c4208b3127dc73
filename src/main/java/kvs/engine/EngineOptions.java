package kvs.engine;

import java.time.InstantSource;

/**
 * Tuning shared by both engines.
 *
 * @param durability          when writes are fsynced (default {@link Durability#EVERYSEC})
 * @param compactionThreshold the least stale bytes a KvStore compaction waits for: one is due when the stale
 *                            bytes reach max(this, live bytes), paced to about 5% of a core until they reach
 *                            max(this, 8 × live); at rest (5 s without writes) at max(this, live / 2); default
 *                            1 MiB (docs/STORAGE.md, "Compaction")
 * @param maxFileSize         size at which KvStore starts a new log file (default 64 MiB)
 * @param salvage             open a corrupted KvStore by keeping every valid record instead of failing
 * @param clock               the clock keys' deadlines are read against (default the system clock; tests move one)
 * @param compactionExpires   whether KvStore's compaction drops the records of keys whose deadline has passed
 *                            (default on; off for a member of a replicated group, whose keys go only as its log says)
 * @param watches             the table of watched keys the engine's writes move (Redis's WATCH), or null for one of
 *                            its own (the default); the shards of one process of a sharded cluster share one
 */
public record EngineOptions(Durability durability, long compactionThreshold, long maxFileSize, boolean salvage,
                            InstantSource clock, boolean compactionExpires, kvs.store.Watches watches) {

    /** The largest allowed {@code maxFileSize}; keeps every record offset within an int. */
    public static final long MAX_FILE_SIZE_LIMIT = 1L << 30;

    /** Validates the options. */
    public EngineOptions {
        java.util.Objects.requireNonNull(durability, "durability");
        java.util.Objects.requireNonNull(clock, "clock");
        if (compactionThreshold < 1) {
            throw new IllegalArgumentException("compactionThreshold must be positive: " + compactionThreshold);
        }
        if (maxFileSize < 1 || maxFileSize > MAX_FILE_SIZE_LIMIT) {
            throw new IllegalArgumentException(
                    "maxFileSize must be between 1 and " + MAX_FILE_SIZE_LIMIT + ": " + maxFileSize);
        }
    }

    /**
     * Options with a table of watched keys of the engine's own.
     *
     * @param durability          when writes are fsynced
     * @param compactionThreshold the stale bytes, at least 1, that make a compaction worth running
     * @param maxFileSize         the size, 1 to {@link #MAX_FILE_SIZE_LIMIT} bytes, at which a log file is sealed
     * @param salvage             whether open keeps the valid records of a corrupted directory instead of failing
     * @param clock               the clock that expiry deadlines are compared with
     * @param compactionExpires   whether compaction drops the records of expired keys
     */
    public EngineOptions(Durability durability, long compactionThreshold, long maxFileSize, boolean salvage,
                         InstantSource clock, boolean compactionExpires) {
        this(durability, compactionThreshold, maxFileSize, salvage, clock, compactionExpires, null);
    }

    /**
     * Options with the system clock, and compaction that drops expired keys.
     *
     * @param durability          when writes are fsynced
     * @param compactionThreshold the stale bytes, at least 1, that make a compaction worth running
     * @param maxFileSize         the size, 1 to {@link #MAX_FILE_SIZE_LIMIT} bytes, at which a log file is sealed
     * @param salvage             whether open keeps the valid records of a corrupted directory
     *                            instead of failing
     */
    public EngineOptions(Durability durability, long compactionThreshold, long maxFileSize, boolean salvage) {
        this(durability, compactionThreshold, maxFileSize, salvage, InstantSource.system(), true, null);
    }

    /** The default compaction threshold: 1 MiB, the least stale bytes worth a compaction. */
    public static final long DEFAULT_COMPACTION_THRESHOLD = 1L << 20;

    /**
     * The defaults: {@code everysec}, 1 MiB compaction threshold, 64 MiB files, no salvage.
     *
     * @return the default options
     */
    public static EngineOptions defaults() {
        return new EngineOptions(Durability.EVERYSEC, DEFAULT_COMPACTION_THRESHOLD, 64L << 20, /* salvage= */ false);
    }

    /**
     * These options with another durability.
     *
     * @param d when writes are fsynced
     * @return the new options
     */
    public EngineOptions withDurability(Durability d) {
        return new EngineOptions(d, compactionThreshold, maxFileSize, salvage, clock, compactionExpires, watches);
    }

    /**
     * These options with another compaction threshold.
     *
     * @param bytes the stale bytes, at least 1, that make a compaction worth running
     * @return the new options
     */
    public EngineOptions withCompactionThreshold(long bytes) {
        return new EngineOptions(durability, bytes, maxFileSize, salvage, clock, compactionExpires, watches);
    }

    /**
     * These options with another maximum log file size.
     *
     * @param bytes the size, 1 to {@link #MAX_FILE_SIZE_LIMIT} bytes, at which a log file is sealed
     * @return the new options
     */
    public EngineOptions withMaxFileSize(long bytes) {
        return new EngineOptions(durability, compactionThreshold, bytes, salvage, clock, compactionExpires, watches);
    }

    /**
     * These options with salvage on or off.
     *
     * @param on whether open keeps the valid records of a corrupted directory instead of failing
     * @return the new options
     */
    public EngineOptions withSalvage(boolean on) {
        return new EngineOptions(durability, compactionThreshold, maxFileSize, on, clock, compactionExpires, watches);
    }

    /**
     * These options with another clock.
     *
     * @param c the clock that expiry deadlines are compared with
     * @return the new options
     */
    public EngineOptions withClock(InstantSource c) {
        return new EngineOptions(durability, compactionThreshold, maxFileSize, salvage, c, compactionExpires, watches);
    }

    /**
     * These options with compaction dropping expired keys, or not.
     *
     * @param on whether compaction drops the records of expired keys
     * @return the new options
     */
    public EngineOptions withCompactionExpires(boolean on) {
        return new EngineOptions(durability, compactionThreshold, maxFileSize, salvage, clock, on, watches);
    }

    /**
     * These options with a table of watched keys shared with other engines (a sharded cluster's
     * process: one WATCH covers the keys of every shard), or null for one of the engine's own.
     *
     * @param table the table the engine's writes move
     * @return the new options
     */
    public EngineOptions withWatches(kvs.store.Watches table) {
        return new EngineOptions(durability, compactionThreshold, maxFileSize, salvage, clock, compactionExpires, table);
    }
}
