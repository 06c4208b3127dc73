package kvs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;

/**
 * Measures KvStore's index memory per key (heap after GC, beyond the key's own bytes, of a store
 * just opened, so no value is cached) and the
 * time to open a store of N keys with and without hint files. Run (after
 * {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -Xmx4g -cp target/benchmarks.jar kvs.bench.IndexFootprint 1000000 5 100   # keys, runs, value bytes
 * </pre>
 */
public final class IndexFootprint {

    private IndexFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String value = "v".repeat(args.length > 2 ? Integer.parseInt(args[2]) : 5);
        Path dir = Files.createTempDirectory("kvs-footprint-");
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.NEVER);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long keyBytes = load(dir, options, n, value);
        // Measured across a reopen, so the value cache holds nothing: the index (and the cache's
        // empty slot array, a fixed 4 MiB at the default bound) is what grows.
        long before = usedAfterGc(memory);
        long after;
        try (KvStore store = KvStore.open(dir, options)) {
            after = usedAfterGc(memory);
            if (store.size() != n) {
                throw new IllegalStateException("reopened with " + store.size() + " keys, not " + n);
            }
        }
        double perKey = (double) (after - before) / n;
        System.out.printf("keys=%d heap_per_key=%.1f B key_bytes=%.1f B overhead_per_key=%.1f B%n",
                n, perKey, (double) keyBytes / n, perKey - (double) keyBytes / n);

        List<Double> withHints = new ArrayList<>();
        List<Double> withoutHints = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            withHints.add(timeOpen(dir, options));
            try (Stream<Path> hints = Files.list(dir)) {
                for (Path h : hints.filter(p -> p.toString().endsWith(".hint")).toList()) {
                    Files.delete(h);
                }
            }
            withoutHints.add(timeOpen(dir, options)); // scans, and writes the hints back
        }
        System.out.printf("log_bytes=%d%n", dirBytes(dir));
        System.out.printf("open_%d_keys_ms with_hints_median=%.0f without_hints_median=%.0f runs=%d%n",
                n, median(withHints), median(withoutHints), runs);
        System.out.println("with hints: " + withHints + "  without: " + withoutHints);
    }

    /** Writes keys {@code key000000000}...; returns their bytes. A method of its own, so nothing of the store stays reachable. */
    private static long load(Path dir, EngineOptions options, int n, String value) throws Exception {
        long keyBytes = 0;
        try (KvStore store = KvStore.open(dir, options)) {
            for (int i = 0; i < n; i++) {
                String key = String.format("key%09d", i);
                keyBytes += key.length(); // Latin-1: one byte a character
                store.set(key, value);
            }
        }
        return keyBytes;
    }

    private static long dirBytes(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double timeOpen(Path dir, EngineOptions options) throws Exception {
        System.gc();
        long start = System.nanoTime();
        KvStore store = KvStore.open(dir, options);
        double ms = (System.nanoTime() - start) / 1e6;
        store.close();
        return ms;
    }

    /** Heap in use after a few GCs. */
    static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
