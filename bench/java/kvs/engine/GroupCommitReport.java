package kvs.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import kvs.KvsException;
import kvs.bench.Stats;

/**
 * Group commit under {@code always}: acknowledged sets per second and sets per fsync for 1, 8
 * and 64 concurrent writers, or those given (100-byte values over 1000 keys, a fresh store each
 * run), the median of {@code ROUNDS} runs of {@code SECONDS} seconds after one of warm-up. In
 * this package to read KvStore's fsync count. Prints a Markdown table (docs/RELIABILITY.md):
 * <pre>
 * java -cp target/benchmarks.jar kvs.engine.GroupCommitReport [SECONDS [ROUNDS [WRITERS,...]]]
 * </pre>
 */
public final class GroupCommitReport {

    private GroupCommitReport() {
    }

    record Run(double setsPerSecond, double setsPerSync) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] writerCounts = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 8, 64};
        System.out.println("| writers | acknowledged sets/s | sets per fsync | fsyncs/s |");
        System.out.println("|---:|---:|---:|---:|");
        for (int writers : writerCounts) {
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                runs.add(run(writers, seconds));
            }
            double rate = Stats.median(runs.stream().mapToDouble(Run::setsPerSecond).toArray());
            double perSync = Stats.median(runs.stream().mapToDouble(Run::setsPerSync).toArray());
            System.out.printf(Locale.ROOT, "| %d | %,.0f | %.1f | %,.0f |%n", writers, rate, perSync, rate / perSync);
        }
    }

    private static Run run(int writers, double seconds) throws Exception {
        Path dir = Files.createTempDirectory("kvs-group-commit-");
        try (KvStore store = KvStore.open(dir, EngineOptions.defaults().withDurability(Durability.ALWAYS))) {
            String value = "v".repeat(100);
            LongAdder acked = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (!stop.get()) {
                            store.set("key" + ThreadLocalRandom.current().nextInt(1000), value);
                            acked.increment();
                        }
                    } catch (KvsException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            Thread.sleep(1000); // warm-up, unmeasured
            long sets0 = acked.sum();
            long syncs0 = store.commitSyncs();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long sets = acked.sum() - sets0;
            long syncs = store.commitSyncs() - syncs0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            return new Run(sets / elapsed, (double) sets / syncs);
        } finally {
            kvs.bench.EngineBenchmark.deleteTree(dir);
        }
    }
}
