package kvs.store;

/**
 * What a store reports about itself for stats and metrics (docs/PROTOCOL.md, "stats"), read
 * without a lock: each figure is current, the set is not one consistent snapshot.
 *
 * @param engine      the engine's name, as {@code --engine} takes it
 * @param durability  the fsync policy, as {@code --fsync} takes it ({@code raft} for a group member)
 * @param keys        keys stored (those whose deadline has passed and no write has removed yet too)
 * @param keysWithDeadline of those, the keys that have a deadline
 * @param expiredKeys keys removed as expired since the store opened: by an expiry cycle, or by a
 *                    write of a key whose deadline had passed
 * @param liveBytes   bytes on disk holding current values
 * @param totalBytes  bytes of every data file
 * @param compactions compactions completed since the store opened
 * @param lastCompactionMillis how long the last one took (0 before the first)
 * @param fsyncs      fsyncs of data files since the store opened
 * @param writes      writes committed since the store opened
 * @param member      the group as this member sees it, or null for a store of one machine
 * @param shards      each shard of a sharded cluster as this process sees it; empty for any other store
 * @param slotMapEpoch the epoch of a sharded cluster's slot map as this process last learned it; 0 for any other store
 * @param slotMove    the move of slots under way in a sharded cluster ({@code 100 slots from shard 0 to shard 1}),
 *                    or empty
 */
public record StoreFigures(String engine, String durability, long keys, long keysWithDeadline, long expiredKeys, long liveBytes, long totalBytes,
                           long compactions, long lastCompactionMillis, long fsyncs, long writes, MemberStatus member,
                           java.util.List<ShardStatus> shards, long slotMapEpoch, String slotMove) {

    /** Copies the shards' list. */
    public StoreFigures {
        shards = java.util.List.copyOf(shards);
        java.util.Objects.requireNonNull(slotMove, "slotMove");
    }

    /**
     * The figures of a store that is no sharded cluster's.
     *
     * @param engine      the engine's name
     * @param durability  the fsync policy
     * @param keys        keys stored
     * @param keysWithDeadline of those, the keys that have a deadline
     * @param expiredKeys keys removed as expired since the store opened
     * @param liveBytes   bytes on disk holding current values
     * @param totalBytes  bytes of every data file
     * @param compactions compactions completed since the store opened
     * @param lastCompactionMillis how long the last one took
     * @param fsyncs      fsyncs of data files since the store opened
     * @param writes      writes committed since the store opened
     * @param member      the group as this member sees it, or null
     */
    public StoreFigures(String engine, String durability, long keys, long keysWithDeadline, long expiredKeys, long liveBytes,
                        long totalBytes, long compactions, long lastCompactionMillis, long fsyncs, long writes, MemberStatus member) {
        this(engine, durability, keys, keysWithDeadline, expiredKeys, liveBytes, totalBytes, compactions, lastCompactionMillis,
                fsyncs, writes, member, java.util.List.of(), 0, "");
    }
}
