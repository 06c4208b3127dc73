package kvs.bench;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import kvs.client.KvsClient;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.pool.ThreadPool;
import kvs.server.KvsServer;
import kvs.store.Store;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The thread-pool benchmarks of talent-plan project 4, part 6: a kvs-server started in code with
 * each pool, pool size and engine, driven by 1000 concurrent client jobs per operation, each job
 * one connection and one request, as the project's clients are. Scores are requests per second.
 * <ul>
 *   <li>{@code writeHeavy}: sets of 1000 keys of equal length, the same keys every time;</li>
 *   <li>{@code readHeavy}: gets of 1000 keys loaded in setup, every value checked.</li>
 * </ul>
 * Setup (server, engine, keys, client executor) and teardown are outside the measured loop. Run
 * (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.PoolSuite      # pool sizes 1, 2, 4, ... 2 x cores; table and plot
 * java -jar target/benchmarks.jar PoolBenchmark -p pool=shared-queue -p poolSize=1,2,4 -p engine=kvs
 * </pre>
 * With the naive and virtual pools the size is unused (a thread per connection): their lines are
 * the baseline the shared-queue pool's sizes are compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class PoolBenchmark {

    static final int KEYS = 1000;

    @Param({"naive", "shared-queue", "virtual"})
    public String pool;

    @Param({"kvs", "mvstore"})
    public String engine;

    @Param({"1", "2", "4"})
    public int poolSize;

    private Path dir;
    private Store store;
    private KvsServer server;
    private InetSocketAddress address;
    private ExecutorService clients;
    private final String[] keys = new String[KEYS];
    private final String[] values = new String[KEYS];

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("kvs-pool-bench-");
        store = engine.equals("kvs") ? KvStore.open(dir, EngineOptions.defaults())
                : MvStoreEngine.open(dir, EngineOptions.defaults());
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("key%05d", i);
            values[i] = String.format("value%05d", i);
            store.set(keys[i], values[i]);
        }
        server = KvsServer.start(store, ThreadPool.named(pool, poolSize), new InetSocketAddress("127.0.0.1", 0));
        address = server.address();
        clients = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        clients.close();
        server.close();
        store.close();
        EngineBenchmark.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public void writeHeavy() throws Exception {
        runAll(i -> {
            try (KvsClient c = KvsClient.connect(address)) {
                c.set(keys[i], values[i]); // throws unless the server answered ok
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public void readHeavy() throws Exception {
        runAll(i -> {
            try (KvsClient c = KvsClient.connect(address)) {
                String got = c.get(keys[i]).orElseThrow(() -> new AssertionError(keys[i] + " is missing"));
                if (!got.equals(values[i])) {
                    throw new AssertionError(keys[i] + " is " + got + ", not " + values[i]);
                }
            }
        });
    }

    private interface Job {
        void run(int i) throws Exception;
    }

    /** Runs one job per key at once and waits for all; any failure fails the benchmark. */
    private void runAll(Job job) throws Exception {
        List<Future<?>> done = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            int k = i;
            done.add(clients.submit(() -> {
                job.run(k);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }
}
