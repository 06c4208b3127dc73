package kvs.bench;

import java.util.Arrays;

/** The statistic the benchmark programs quote: medians of repeated runs. */
public final class Stats {

    private Stats() {
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    public static double median(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
