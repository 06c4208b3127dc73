package kvs.internal;

import kvs.KvsEngine;

/**
 * What an engine reports about itself for stats (DESIGN §10), read without a lock: each figure is
 * current, the set is not one consistent snapshot. Not API.
 *
 * @param engine      the engine's name, as {@code --engine} takes it
 * @param durability  the fsync policy, as {@code --fsync} takes it
 * @param keys        keys present
 * @param liveBytes   bytes on disk holding current values (-1 when the engine cannot tell)
 * @param totalBytes  bytes of every data file
 * @param compactions compactions completed since the engine opened
 * @param lastCompactionMillis how long the last one took (0 before the first)
 * @param fsyncs      fsyncs of data files since the engine opened
 * @param writes      writes committed since the engine opened
 */
public record EngineFigures(String engine, String durability, long keys, long liveBytes, long totalBytes,
                            long compactions, long lastCompactionMillis, long fsyncs, long writes) {

    /** An engine that reports figures. */
    public interface Source {
        EngineFigures figures();
    }

    /** {@code engine}'s figures, or null when it reports none. */
    public static EngineFigures of(KvsEngine engine) {
        return engine instanceof Source s ? s.figures() : null;
    }
}
