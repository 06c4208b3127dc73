package kvs.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import kvs.bench.load.Charts;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link PoolBenchmark} for pool sizes 1, 2, 4, then every even number up to 2 x cores, and
 * writes bench/results/pools.{json,md,png}: requests/s against pool size, per pool and engine.
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.PoolSuite [JMH options, e.g. -f 1 -wi 2 -i 3]
 * </pre>
 */
public final class PoolSuite {

    private PoolSuite() {
    }

    /** 1, 2, 4, then every even number up to {@code 2 * cores}. */
    static int[] poolSizes(int cores) {
        return IntStream.rangeClosed(1, Math.max(4, 2 * cores)).filter(n -> n <= 2 || n % 2 == 0).toArray();
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = poolSizes(Runtime.getRuntime().availableProcessors());
        Collection<RunResult> results = Suites.run(Suites.options(args, PoolBenchmark.class, "pools")
                .param("poolSize", IntStream.of(sizes).mapToObj(String::valueOf).toArray(String[]::new)));
        StringBuilder table = new StringBuilder("| workload | pool | engine |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (int size : sizes) {
            table.append(" size ").append(size).append(" |");
            rule.append("---:|");
        }
        table.append('\n').append(rule).append('\n');
        List<org.knowm.xchart.XYChart> charts = new ArrayList<>();
        for (String workload : List.of("writeHeavy", "readHeavy")) {
            List<String> series = new ArrayList<>();
            List<double[]> lines = new ArrayList<>();
            for (String pool : List.of("naive", "shared-queue", "virtual")) {
                for (String engine : List.of("kvs", "mvstore")) {
                    double[] y = new double[sizes.length];
                    table.append("| ").append(workload).append(" | ").append(pool).append(" | ").append(engine).append(" |");
                    for (int i = 0; i < sizes.length; i++) {
                        y[i] = score(results, workload, pool, engine, sizes[i]);
                        table.append(String.format(Locale.ROOT, " %,.0f |", y[i]));
                    }
                    table.append('\n');
                    series.add(pool + ", " + engine);
                    lines.add(y);
                }
            }
            charts.add(Charts.lines(workload + ": 1000 client jobs, one connection each", "server pool size",
                    "requests/s", IntStream.of(sizes).asDoubleStream().toArray(), series, lines.toArray(double[][]::new)));
        }
        Suites.write("pools.md", table.toString());
        Charts.save(charts, 2, 1, Suites.OUT.resolve("pools.png"));
    }

    private static double score(Collection<RunResult> results, String workload, String pool, String engine, int size) {
        return results.stream()
                .filter(r -> Suites.method(r).equals(workload) && Suites.param(r, "pool").equals(pool)
                        && Suites.param(r, "engine").equals(engine)
                        && Suites.param(r, "poolSize").equals(String.valueOf(size)))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
    }
}
