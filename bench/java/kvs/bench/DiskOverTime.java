package kvs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

import kvs.KvsEngine;
import kvs.engine.Durability;

/**
 * A small hot store's disk use over time, with the engine's default options, in one process:
 * {@code talent-plan} is talent-plan's compaction test (1000 rounds setting {@code key0..key999}
 * to the round's number) and {@code hot} is 200 rounds of 1000 overwrites of {@code key000..key999}
 * with 100-byte values. After every round it measures the directory; it prints the size at
 * every tenth of the run, the largest size seen, the first round whose size was no larger than the
 * round's before (talent-plan's "compaction detected"), the live data (keys and values) and the
 * time taken. Run it against an older commit's engine by putting that commit's classes first:
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.DiskOverTime kvs hot
 * java -cp OLD_TREE/target/classes:target/benchmarks.jar kvs.bench.DiskOverTime kvs talent-plan
 * </pre>
 */
public final class DiskOverTime {

    private DiskOverTime() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args[0];
        boolean talentPlan = switch (args[1]) {
            case "talent-plan" -> true;
            case "hot" -> false;
            default -> throw new IllegalArgumentException("workload is talent-plan or hot, not " + args[1]);
        };
        int rounds = talentPlan ? 1000 : 200;
        String pad = "v".repeat(94);
        Path dir = Files.createTempDirectory("kvs-disk-");
        long[] sizes = new long[rounds];
        long live = 0;
        int firstNoLarger = -1;
        long started = System.nanoTime();
        try (KvsEngine store = Engines.open(engine, dir, Durability.EVERYSEC)) {
            long before = dirSize(dir);
            for (int round = 0; round < rounds; round++) {
                live = 0;
                for (int k = 0; k < 1000; k++) {
                    String key = talentPlan ? "key" + k : String.format("key%03d", k);
                    String value = talentPlan ? Integer.toString(round) : pad + String.format("%06d", round);
                    store.set(key, value);
                    live += key.length() + value.length();
                }
                sizes[round] = dirSize(dir);
                if (firstNoLarger < 0 && sizes[round] <= before) {
                    firstNoLarger = round;
                }
                before = sizes[round];
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        StringBuilder series = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            series.append(i == 1 ? "" : ", ").append(kb(sizes[i * rounds / 10 - 1]));
        }
        long peak = java.util.Arrays.stream(sizes).max().orElse(0);
        System.out.printf(Locale.ROOT, "%s %s: live %s KB; largest %s KB; first round no larger than the one before: %s;"
                        + " after each tenth of the run (KB): %s; %d ms%n", engine, args[1], kb(live), kb(peak),
                firstNoLarger < 0 ? "none" : Integer.toString(firstNoLarger), series, millis);
    }

    private static String kb(long bytes) {
        return String.format(Locale.ROOT, "%,d", bytes / 1000);
    }

    private static long dirSize(Path dir) throws java.io.IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    total += Files.size(p);
                } catch (java.nio.file.NoSuchFileException e) {
                    // deleted while listing
                }
            }
        }
        return total;
    }
}
