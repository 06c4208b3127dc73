package kvs.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import kvs.KvsEngine;
import kvs.engine.Durability;

/**
 * What one engine costs beyond its speed, at N keys (10-byte keys, 100-byte values): the heap and
 * off-heap memory it holds per key, the time to open a directory of N keys, and the disk bytes
 * after every key is overwritten ten times, against the live data (space amplification). Prints
 * one Markdown row; EngineSuite runs it once per engine, each in a JVM of its own, with the heap
 * fixed and touched up front ({@code -Xms2g -Xmx2g -XX:+AlwaysPreTouch}) so that the growth of
 * the process's anonymous memory is what the engine allocated outside the heap.
 * <pre>
 * java -Xms2g -Xmx2g -XX:+AlwaysPreTouch --add-opens=java.base/java.nio=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp target/benchmarks.jar kvs.bench.EngineFootprint lmdb 1000000
 * </pre>
 */
public final class EngineFootprint {

    static final String HEADER = "| engine | keys | heap B/key | off-heap B/key | mapped file B/key | open ms (median of 5) "
            + "| disk after 10 overwrites | live data | space amplification |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    private static final int VALUE_BYTES = 100;
    private static final int OVERWRITES = 10;
    private static final int OPENS = 5;
    /**
     * Compaction has settled when the directory's size has not changed for this long: longer than
     * KvStore waits at rest (5 to 10 s after the last write) before it compacts to settle.
     */
    private static final long SETTLED_MILLIS = 15_000;
    private static final long MAX_SETTLE_MILLIS = 120_000;

    private EngineFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Random random = new Random(42);
        String value = EngineBenchmark.letters(random, VALUE_BYTES); // random letters: compression gains no more than on text
        Path dir = Files.createTempDirectory("kvs-footprint-");
        try {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long heapBefore = IndexFootprint.usedAfterGc(memory);
            long anonBefore = procStatus("RssAnon");
            long fileBefore = procStatus("RssFile");
            long heap;
            long anon;
            long file;
            try (KvsEngine store = Engines.open(engine, dir, Durability.EVERYSEC)) {
                for (int i = 0; i < n; i++) {
                    store.set(EngineBenchmark.key(i), value);
                }
                heap = IndexFootprint.usedAfterGc(memory) - heapBefore;
                anon = procStatus("RssAnon") - anonBefore;
                file = procStatus("RssFile") - fileBefore;
            }
            List<Double> opens = new ArrayList<>();
            for (int r = 0; r < OPENS; r++) {
                long start = System.nanoTime();
                try (KvsEngine store = Engines.open(engine, dir, Durability.EVERYSEC)) {
                    opens.add((System.nanoTime() - start) / 1e6);
                    if (store.get(EngineBenchmark.key(n - 1)).isEmpty()) {
                        throw new IllegalStateException(engine + " lost key " + EngineBenchmark.key(n - 1));
                    }
                }
            }
            try (KvsEngine store = Engines.open(engine, dir, Durability.NEVER)) {
                for (int pass = 1; pass <= OVERWRITES; pass++) {
                    String next = EngineBenchmark.letters(random, VALUE_BYTES); // a value the key does not hold: SQLite skips a write that changes nothing
                    for (int i = 0; i < n; i++) {
                        store.set(EngineBenchmark.key(i), next);
                    }
                }
                settle(dir);
            }
            long disk = bytes(dir);
            long live = (long) n * (EngineBenchmark.key(0).length() + VALUE_BYTES);
            System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.0f | %,.1f MB | %,.1f MB | %.2f× |%n",
                    engine, n, (double) heap / n, (double) anon / n, (double) file / n, IndexFootprint.median(opens),
                    disk / 1e6, live / 1e6, (double) disk / live);
        } finally {
            EngineBenchmark.deleteTree(dir);
        }
    }

    /** Waits until the engine's background work (compaction, checkpoints) stops changing the directory's size. */
    private static void settle(Path dir) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + MAX_SETTLE_MILLIS;
        long size = bytes(dir);
        long stableSince = System.currentTimeMillis();
        while (System.currentTimeMillis() - stableSince < SETTLED_MILLIS && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            long now = bytes(dir);
            if (now != size) {
                size = now;
                stableSince = System.currentTimeMillis();
            }
        }
    }

    /** The bytes of every file under {@code dir}. */
    static long bytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    /** A field of /proc/self/status in bytes (e.g. RssAnon: the process's anonymous resident memory). */
    private static long procStatus(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // "RssAnon:   1234 kB"
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }
}
