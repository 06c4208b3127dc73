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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Engine throughput: set and get of 100-byte values over 1000 keys (or {@code -p keyCount=N}),
 * kvs vs mvstore, at equal durability. Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -jar target/benchmarks.jar 'EngineBenchmark.get$' -p durability=everysec -p keyCount=100000
 * java -jar target/benchmarks.jar EngineBenchmark -f 3 -wi 2 -w 2s -i 3 -r 3s -rf json -rff engine.json
 * java -jar target/benchmarks.jar 'EngineBenchmark.set$' -p durability=always -t 64   # group commit
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EngineBenchmark {

    @Param({"kvs", "mvstore"})
    public String engine;

    @Param({"everysec", "always"})
    public String durability;

    @Param({"100"})
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
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
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
}
