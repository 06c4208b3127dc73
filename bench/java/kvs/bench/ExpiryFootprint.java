package kvs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Write;

/**
 * What a deadline costs KvStore in memory: the heap per key of a store of N keys without
 * deadlines and of one whose every key has one (each just reopened, so no value is cached), and
 * the difference. Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -Xmx4g -cp target/benchmarks.jar kvs.bench.ExpiryFootprint 1000000 3   # keys, runs
 * </pre>
 */
public final class ExpiryFootprint {

    private ExpiryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.NEVER);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long deadline = System.currentTimeMillis() + 86_400_000L; // a day: none expires while measured
        Path plain = Files.createTempDirectory("kvs-expiry-plain-");
        Path timed = Files.createTempDirectory("kvs-expiry-timed-");
        load(plain, options, n, Entry.NONE);
        load(timed, options, n, deadline);
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            without.add(perKey(plain, options, n, memory));
            with.add(perKey(timed, options, n, memory));
        }
        double a = IndexFootprint.median(without);
        double b = IndexFootprint.median(with);
        System.out.printf("keys=%d heap_per_key_without_deadline=%.1f B with_deadline=%.1f B deadline_costs=%.1f B runs=%d%n",
                n, a, b, b - a, runs);
        System.out.println("without: " + without + "  with: " + with);
    }

    /** Writes keys {@code key000000000}... with 16-byte values, each with {@code deadline}. */
    private static void load(Path dir, EngineOptions options, int n, long deadline) throws Exception {
        Bytes value = Bytes.utf8("v".repeat(16));
        try (KvStore store = KvStore.open(dir, options)) {
            List<Write<?>> batch = new ArrayList<>(1000);
            for (int i = 0; i < n; i++) {
                batch.add(Write.set(Bytes.utf8(String.format("key%09d", i)), value, deadline));
                if (batch.size() == 1000) {
                    store.writeAll(batch);
                    batch.clear();
                }
            }
            store.writeAll(batch);
        }
    }

    /** The heap per key of the store in {@code dir}, just opened. */
    private static double perKey(Path dir, EngineOptions options, int n, MemoryMXBean memory) throws Exception {
        long before = IndexFootprint.usedAfterGc(memory);
        try (KvStore store = KvStore.open(dir, options)) {
            long after = IndexFootprint.usedAfterGc(memory);
            if (store.size() != n) {
                throw new IllegalStateException("reopened with " + store.size() + " keys, not " + n);
            }
            return (double) (after - before) / n;
        }
    }
}
