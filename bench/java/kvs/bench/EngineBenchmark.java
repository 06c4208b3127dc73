package kvs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kvs.KvsEngine;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Engine throughput, kvs vs mvstore at equal durability: set, get and a 90/10 get/set mix over
 * 1000 keys (or {@code -p keyCount=N}) loaded in setup, values of 16 B, 100 B and 4 KiB, any
 * number of threads ({@code -t}). Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.EngineSuite               # the whole suite, 1, 2 and 4 threads, with a table
 * java -jar target/benchmarks.jar EngineBenchmark -t 2 -p valueSize=100 -p durability=everysec
 * java -jar target/benchmarks.jar 'EngineBenchmark.get$' -p durability=everysec -p keyCount=100000
 * java -jar target/benchmarks.jar 'EngineBenchmark.set$' -p durability=always -t 64   # group commit
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class EngineBenchmark {

    @Param({"kvs", "mvstore"})
    public String engine;

    @Param({"everysec", "always"})
    public String durability;

    @Param({"16", "100", "4096"})
    public int valueSize;

    /** Keys loaded and used; 100000 is more than KvStore's value cache holds. */
    @Param({"1000"})
    public int keyCount;

    private Path dir;
    private KvsEngine store;
    private String[] keys;
    private String value;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("kvs-bench-");
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.parse(durability));
        store = engine.equals("kvs") ? KvStore.open(dir, options) : MvStoreEngine.open(dir, options);
        keys = new String[keyCount];
        value = "v".repeat(valueSize);
        for (int i = 0; i < keyCount; i++) {
            keys[i] = String.format("key%06d", i);
            store.set(keys[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        deleteTree(dir);
    }

    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public void set() throws Exception {
        store.set(keys[ThreadLocalRandom.current().nextInt(keyCount)], value);
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
            store.set(key, value);
            return key;
        }
        return store.get(key).orElseThrow();
    }
}
