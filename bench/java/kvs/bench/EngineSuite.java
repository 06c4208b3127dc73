package kvs.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link EngineBenchmark} (set, get, 90/10 mix; 16 B, 100 B, 4 KiB; everysec and always;
 * kvs and mvstore) with 1, 2 and 4 threads, and writes bench/results/engines-t{N}.json and
 * engines.md: one row per case, kvs and mvstore side by side with their ratio.
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.EngineSuite [JMH options, e.g. -p valueSize=100]
 * </pre>
 */
public final class EngineSuite {

    private EngineSuite() {
    }

    public static void main(String[] args) throws Exception {
        List<RunResult> results = new ArrayList<>();
        for (int threads : new int[] {1, 2, 4}) {
            results.addAll(Suites.run(Suites.options(args, EngineBenchmark.class, "engines-t" + threads).threads(threads)));
        }
        StringBuilder table = new StringBuilder(
                "| op | value | fsync | threads | kvs ops/s | mvstore ops/s | kvs / mvstore |\n|---|---:|---|---:|---:|---:|---:|\n");
        for (RunResult kvs : results) {
            if (!Suites.param(kvs, "engine").equals("kvs")) {
                continue;
            }
            double mine = kvs.getPrimaryResult().getScore();
            double theirs = partner(results, kvs);
            table.append(String.format(Locale.ROOT, "| %s | %s B | %s | %d | %,.0f | %,.0f | %.2f× |%n",
                    Suites.method(kvs), Suites.param(kvs, "valueSize"), Suites.param(kvs, "durability"),
                    kvs.getParams().getThreads(), mine, theirs, mine / theirs));
        }
        Suites.write("engines.md", table.toString());
    }

    /** mvstore's score in the same case as {@code kvs}. */
    private static double partner(Collection<RunResult> results, RunResult kvs) {
        return results.stream().filter(r -> Suites.param(r, "engine").equals("mvstore")
                        && Suites.method(r).equals(Suites.method(kvs))
                        && r.getParams().getThreads() == kvs.getParams().getThreads()
                        && Suites.param(r, "valueSize").equals(Suites.param(kvs, "valueSize"))
                        && Suites.param(r, "durability").equals(Suites.param(kvs, "durability"))
                        && Suites.param(r, "keyCount").equals(Suites.param(kvs, "keyCount")))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
    }
}
