package kvs.expiry;

/**
 * What the active expiry cycle reports (INFO's names in brackets).
 *
 * @param removed        keys the cycle removed since it started (part of {@code expired_keys})
 * @param avgTtlMillis   the smoothed mean time left of the keys it sampled that had not expired ({@code avg_ttl});
 *                       0 when no key has a deadline
 * @param stalePercent   the smoothed share of sampled keys found expired, in percent ({@code expired_stale_perc})
 * @param timeCapReached cycles that stopped at their time budget ({@code expired_time_cap_reached_count})
 * @param cycleMillis    time spent in cycles ({@code expire_cycle_cpu_milliseconds})
 * @param cycles         cycles run
 */
public record ExpiryFigures(long removed, long avgTtlMillis, double stalePercent, long timeCapReached,
                            long cycleMillis, long cycles) {

    /** The figures of a server that runs no cycle. */
    public static final ExpiryFigures NONE = new ExpiryFigures(0, 0, 0, 0, 0, 0);
}
