package kvs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kvs.KvsEngine;
import kvs.engine.Durability;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Engine throughput at equal durability, KvStore against its peers (see {@link Engines}): set, get,
 * a 90/10 get/set mix and delete over 1000 or 1,000,000 keys loaded in setup, values of 16 B,
 * 100 B and 4 KiB, any number of threads ({@code -t}). Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.EngineSuite               # the whole suite, 1, 2 and 4 threads, tables and plots
 * java -jar target/benchmarks.jar EngineBenchmark -t 2 -p valueSize=100 -p durability=everysec -p keyCount=1000
 * java -jar target/benchmarks.jar 'EngineBenchmark.get$' -p engine=kvs,lmdb -p keyCount=1000000
 * java -jar target/benchmarks.jar 'EngineBenchmark.set$' -p durability=always -t 64   # group commit
 * </pre>
 * The keys are loaded under {@code never} durability (a million synced writes would take longer
 * than the run), then the store is reopened with the durability measured. With
 * {@code -Dkvs.bench.data=DIR} (EngineSuite sets it) a data set of 1,000,000 keys is loaded once per
 * engine and value size into DIR and reused by the trials after it: every operation here leaves
 * each key present with a value of the same size, so the data set stays what it was.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Engines.LMDB_OPENS, Engines.LMDB_EXPORTS, Engines.NATIVE_ACCESS})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class EngineBenchmark {

    /** Data sets of at least this many keys are kept for the next trial when {@code kvs.bench.data} is set. */
    static final int KEPT_FROM = 100_000;
    /**
     * Values of the same size, each of random letters; a set picks one at random, so it almost
     * never writes the value the key already holds. (SQLite skips an update that changes nothing,
     * fsync included: with one value for every set, its "always" sets ran at 47,000/s.) Random
     * letters, not one repeated, so that RocksDB's compression gains no more than on real text.
     */
    private static final int VALUES = 64;

    @Param({"kvs", "mvstore", "rocksdb", "lmdb", "sqlite"})
    public String engine;

    @Param({"everysec", "always"})
    public String durability;

    @Param({"16", "100", "4096"})
    public int valueSize;

    /** Keys loaded and used; 1,000,000 is more than KvStore's value cache holds. */
    @Param({"1000", "1000000"})
    public int keyCount;

    private Path dir;
    private boolean kept;
    private KvsEngine store;
    private String[] keys;
    private String[] values;
    /** The delete benchmark's threads, whose last removed key teardown sets back. */
    private final List<Share> shares = new CopyOnWriteArrayList<>();

    @Setup(Level.Trial)
    public void open() throws Exception {
        keys = new String[keyCount];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = key(i);
        }
        values = new String[VALUES];
        Random random = new Random(valueSize);
        for (int i = 0; i < VALUES; i++) {
            values[i] = letters(random, valueSize);
        }
        String data = System.getProperty("kvs.bench.data");
        kept = data != null && keyCount >= KEPT_FROM;
        if (kept) {
            dir = Path.of(data, engine + "-" + valueSize + "-" + keyCount);
            Path loaded = dir.resolve("loaded");
            if (!Files.exists(loaded)) {
                deleteTree(dir);
                load(Files.createDirectories(dir.resolve("store")));
                Files.createFile(loaded);
            }
        } else {
            dir = Files.createTempDirectory("kvs-bench-");
            load(Files.createDirectories(dir.resolve("store")));
        }
        store = Engines.open(engine, dir.resolve("store"), Durability.parse(durability));
    }

    private void load(Path at) throws Exception {
        try (KvsEngine s = Engines.open(engine, at, Durability.NEVER)) {
            for (String key : keys) {
                s.set(key, value());
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        try {
            for (Share share : shares) { // every thread has ended its last call: JMH's barrier orders us after it
                if (share.removed >= 0) {
                    store.set(keys[share.removed], value());
                }
            }
        } finally {
            store.close();
        }
        if (!kept) {
            deleteTree(dir);
        }
    }

    /** {@code n} random letters, a to z. */
    static String letters(Random random, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(c);
    }

    /** One of the values, at random. */
    private String value() {
        return values[ThreadLocalRandom.current().nextInt(VALUES)];
    }

    /** The name of key {@code i}: 10 bytes, in an order unrelated to any engine's. */
    static String key(int i) {
        return String.format("key%07d", i);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public void set() throws Exception {
        store.set(keys[ThreadLocalRandom.current().nextInt(keyCount)], value());
    }

    @Benchmark
    public Object get() throws Exception {
        return store.get(keys[ThreadLocalRandom.current().nextInt(keyCount)]).orElseThrow();
    }

    /** Nine gets for every set, at random. */
    @Benchmark
    public Object mixed() throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String key = keys[random.nextInt(keyCount)];
        if (random.nextInt(10) == 0) {
            store.set(key, value());
            return key;
        }
        return store.get(key).orElseThrow();
    }

    /**
     * Removes a random key of this thread's own share of the keys, then, at the next call, sets
     * it back: every remove finds its key (an engine may do less for an absent one), and the data
     * set is whole again after each pair. The score counts removes and sets alike.
     */
    @Benchmark
    public void delete(Share share) throws Exception {
        if (share.removed < 0) {
            share.removed = share.pick();
            store.remove(keys[share.removed]);
        } else {
            store.set(keys[share.removed], value());
            share.removed = -1;
        }
    }

    /** The keys of one thread, for delete: those whose number modulo the thread count is its index. */
    @State(Scope.Thread)
    public static class Share {
        private int thread;
        private int threads;
        private int count;
        /** The key removed and not yet set back, or -1. */
        int removed = -1;

        @Setup(Level.Trial)
        public void setUp(ThreadParams params, EngineBenchmark bench) {
            bench.shares.add(this);
            thread = params.getThreadIndex();
            threads = params.getThreadCount();
            count = (bench.keyCount - thread + threads - 1) / threads;
            if (count == 0) {
                throw new IllegalStateException("more threads than keys");
            }
        }

        int pick() {
            return thread + threads * ThreadLocalRandom.current().nextInt(count);
        }
    }
}
