package kvs.bench.load;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * What one run measured.
 *
 * @param latency   nanoseconds from a request's batch being sent to its reply being read
 * @param perTick   requests answered in each {@link #TICK_MILLIS} ms since the start
 */
public record Result(Workload workload, long nanos, long gets, long sets, long misses, Histogram latency,
                     long[] perTick) {

    public static final int TICK_MILLIS = 100;

    public long requests() {
        return gets + sets;
    }

    public double seconds() {
        return nanos / 1e9;
    }

    /** Requests answered per second. */
    public double throughput() {
        return requests() / seconds();
    }

    /** A latency percentile (0 to 100), in milliseconds. */
    public double millis(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e6;
    }

    public double maxMillis() {
        return latency.getMaxValue() / 1e6;
    }

    public double meanMillis() {
        return latency.getMean() / 1e6;
    }

    /** The report printed after a run. */
    public String summary() {
        return String.format(Locale.ROOT, """
                %s
                %,d requests in %.2f s: %,.0f requests/s
                latency (ms): p50 %.3f, p99 %.3f, p99.9 %.3f, max %.3f, mean %.3f
                gets %,d (%,d misses), sets %,d
                """, workload.describe(), requests(), seconds(), throughput(), millis(50), millis(99), millis(99.9),
                maxMillis(), meanMillis(), gets, misses, sets);
    }

    /** The run as a JSON object, for scripts. */
    public String toJson() {
        Workload w = workload;
        StringBuilder ticks = new StringBuilder();
        for (long t : perTick) {
            ticks.append(ticks.isEmpty() ? "" : ", ").append(t);
        }
        return String.format(Locale.ROOT, """
                {
                  "target": "%s",
                  "address": "%s",
                  "clients": %d,
                  "threads": %d,
                  "pipeline": %d,
                  "keys": %d,
                  "valueSize": %d,
                  "ratio": "%s",
                  "requests": %d,
                  "gets": %d,
                  "sets": %d,
                  "misses": %d,
                  "seconds": %.4f,
                  "throughput": %.1f,
                  "latencyMillis": {"p50": %.4f, "p99": %.4f, "p99.9": %.4f, "max": %.4f, "mean": %.4f},
                  "perTick": {"millis": %d, "requests": [%s]}
                }
                """, w.target().cliName(), kvs.client.HostPort.show(w.address()), w.clients(), w.threads(),
                w.pipeline(), w.keys(), w.valueSize(), w.ratio(), requests(), gets, sets, misses, seconds(),
                throughput(), millis(50), millis(99), millis(99.9), maxMillis(), meanMillis(), TICK_MILLIS, ticks);
    }

    /** A histogram for latencies up to a minute, to three significant digits. */
    static Histogram newHistogram() {
        return new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
    }
}
