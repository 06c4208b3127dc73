package kvs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import kvs.bench.load.Charts;
import org.knowm.xchart.CategoryChart;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link EngineBenchmark} (set, get, 90/10 mix, delete; 16 B, 100 B, 4 KiB; 1000 and
 * 1,000,000 keys; everysec and always; every engine of {@link Engines}) with 1, 2 and 4 threads,
 * then {@link EngineFootprint} once per engine, and writes under bench/results: engines-t{N}.json
 * (JMH's results), per value size engines-{size}B.md (one row per case, the engines side by side,
 * KvStore against the best peer) and engines-{size}B.png, and engines-footprint.md.
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.EngineSuite                     # everything: about two hours
 * java -cp target/benchmarks.jar kvs.bench.EngineSuite -p valueSize=100 -p keyCount=1000 --footprint-keys 100000
 * </pre>
 * Arguments other than these are JMH's ({@code -p}, {@code -wi}...): {@code --threads 1,4}
 * (default 1,2,4), {@code --footprint-keys N} (default 1,000,000) and {@code --no-footprint}.
 */
public final class EngineSuite {

    private static final int[] THREADS = {1, 2, 4};

    private EngineSuite() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jmhArgs = new ArrayList<>();
        int footprintKeys = 1_000_000;
        boolean footprint = true;
        int[] threadCounts = THREADS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--footprint-keys" -> footprintKeys = Integer.parseInt(args[++i]);
                case "--no-footprint" -> footprint = false;
                default -> jmhArgs.add(args[i]);
            }
        }
        Path data = Files.createTempDirectory("kvs-engines-");
        List<RunResult> results = new ArrayList<>();
        try {
            for (int threads : threadCounts) {
                results.addAll(Suites.run(Suites.options(jmhArgs.toArray(String[]::new), EngineBenchmark.class,
                        "engines-t" + threads).threads(threads).jvmArgsAppend(Engines.LMDB_OPENS, Engines.LMDB_EXPORTS, Engines.NATIVE_ACCESS, "-Dkvs.bench.data=" + data)));
            }
        } finally {
            EngineBenchmark.deleteTree(data);
        }
        StringBuilder all = new StringBuilder();
        for (String size : values(results, "valueSize")) {
            List<RunResult> ofSize = results.stream().filter(r -> Suites.param(r, "valueSize").equals(size)).toList();
            String table = table(ofSize);
            Files.writeString(Suites.OUT.resolve("engines-" + size + "B.md"), table, StandardCharsets.UTF_8);
            plot(size, ofSize, Suites.OUT.resolve("engines-" + size + "B.png"));
            all.append("\n### ").append(size).append("-byte values\n\n").append(table);
        }
        Suites.write("engines.md", all.toString());
        if (footprint) {
            StringBuilder rows = new StringBuilder(EngineFootprint.HEADER);
            for (String engine : Engines.NAMES) {
                rows.append(footprint(engine, footprintKeys));
            }
            Suites.write("engines-footprint.md", rows.toString());
        }
    }

    /** One row per case (op, fsync, keys, threads), one column per engine, and KvStore ÷ the best peer. */
    static String table(Collection<RunResult> results) {
        List<String> engines = values(results, "engine");
        StringBuilder t = new StringBuilder("| op | fsync | keys | threads |");
        engines.forEach(e -> t.append(' ').append(e).append(" ops/s |"));
        t.append(" kvs ÷ best peer |\n|---|---|---:|---:|");
        engines.forEach(e -> t.append("---:|"));
        t.append("---:|\n");
        for (Case c : cases(results)) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %,d | %d |", c.op, c.durability, Integer.parseInt(c.keys), c.threads));
            double kvs = Double.NaN;
            double best = Double.NaN;
            for (String e : engines) {
                double score = c.score(results, e);
                t.append(Double.isNaN(score) ? " |" : String.format(Locale.ROOT, " %,.0f |", score));
                if (e.equals("kvs")) {
                    kvs = score;
                } else if (!Double.isNaN(score) && !(score <= best)) {
                    best = score;
                }
            }
            t.append(Double.isNaN(kvs / best) ? " |\n" : String.format(Locale.ROOT, " %.2f× |%n", kvs / best));
        }
        return t.toString();
    }

    /** Four panels (fsync × data set), each with a group of bars per op and thread count, one bar per engine; log scale. */
    private static void plot(String size, Collection<RunResult> results, Path png) throws IOException {
        List<String> engines = values(results, "engine");
        List<CategoryChart> charts = new ArrayList<>();
        for (String durability : values(results, "durability")) {
            for (String keys : values(results, "keyCount")) {
                List<Case> cases = cases(results).stream()
                        .filter(c -> c.durability.equals(durability) && c.keys.equals(keys)).toList();
                List<String> categories = cases.stream().map(c -> c.op + " ×" + c.threads).toList();
                double[][] scores = new double[engines.size()][cases.size()];
                for (int e = 0; e < engines.size(); e++) {
                    for (int i = 0; i < cases.size(); i++) {
                        double s = cases.get(i).score(results, engines.get(e));
                        scores[e][i] = Double.isNaN(s) ? 1 : s; // a missing bar, on a log axis
                    }
                }
                CategoryChart chart = Charts.bars(String.format(Locale.ROOT, "%s B values, %s, %,d keys: ops/s (log)",
                        size, durability, Integer.parseInt(keys)), "ops/s", categories, engines, scores);
                chart.getStyler().setYAxisLogarithmic(true);
                chart.getStyler().setYAxisMin(1.0); // bars start at zero otherwise, which a log axis cannot show
                charts.add(chart);
            }
        }
        Charts.save(charts, charts.size(), 1, png);
    }

    private record Case(String op, String durability, String keys, int threads) {
        double score(Collection<RunResult> results, String engine) {
            return results.stream().filter(r -> Suites.param(r, "engine").equals(engine) && matches(r))
                    .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
        }

        boolean matches(RunResult r) {
            return Suites.method(r).equals(op) && Suites.param(r, "durability").equals(durability)
                    && Suites.param(r, "keyCount").equals(keys) && r.getParams().getThreads() == threads;
        }
    }

    private static List<Case> cases(Collection<RunResult> results) {
        Set<Case> cases = new LinkedHashSet<>();
        for (String op : List.of("set", "get", "mixed", "delete")) {
            for (String durability : values(results, "durability")) {
                for (String keys : values(results, "keyCount")) {
                    for (int threads : THREADS) {
                        Case c = new Case(op, durability, keys, threads);
                        if (results.stream().anyMatch(c::matches)) {
                            cases.add(c);
                        }
                    }
                }
            }
        }
        return List.copyOf(cases);
    }

    /** The values a parameter took, in the order first seen (numbers in numeric order). */
    private static List<String> values(Collection<RunResult> results, String param) {
        List<String> v = results.stream().map(r -> Suites.param(r, param)).distinct().toList();
        return v.stream().allMatch(s -> s.matches("\\d+"))
                ? v.stream().sorted((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b))).toList() : v;
    }

    /** {@link EngineFootprint}'s row for {@code engine}, from a JVM of its own. */
    private static String footprint(String engine, int keys) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"));
        command.addAll(Engines.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineFootprint.class.getName(), engine,
                String.valueOf(keys)));
        System.err.println("footprint: " + String.join(" ", command.subList(command.size() - 3, command.size())));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("EngineFootprint " + engine + " failed (exit " + p.exitValue() + "): " + out);
        }
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith("| ")).findFirst()
                .orElseThrow(() -> new IOException("EngineFootprint " + engine + " printed no row: " + out)) + "\n";
    }
}
