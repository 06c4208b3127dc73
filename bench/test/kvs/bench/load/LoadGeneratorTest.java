package kvs.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import kvs.cli.Cli;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.server.KvsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real kvs-server in this JVM, on port 0. */
class LoadGeneratorTest {

    @TempDir
    Path dir;
    private KvStore store;
    private KvsServer server;

    @BeforeEach
    void start() throws Exception {
        store = KvStore.open(dir, EngineOptions.defaults());
        server = KvsServer.start(store, new VirtualThreadPool(1), new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        store.close();
    }

    private Workload workload(int clients, int threads, int pipeline, int keys, int gets, int sets, long requests) {
        return new Workload(Target.KVS, server.address(), clients, threads, pipeline, keys, 10, gets, sets,
                requests, null, false);
    }

    @Test
    void sendsExactlyTheRequestsAskedAndCountsEveryReply() throws Exception {
        Result r = LoadGenerator.run(workload(7, 2, 4, 50, 1, 1, 2001), n -> { });
        assertThat(r.requests()).isEqualTo(2001);
        assertThat(r.gets()).isGreaterThan(0).isLessThan(2001);
        assertThat(r.misses()).isLessThanOrEqualTo(r.gets());
        assertThat(Arrays.stream(r.perTick()).sum()).isEqualTo(2001);
        assertThat(r.latency().getTotalCount()).isEqualTo(2001);
        assertThat(r.throughput()).isPositive();
        assertThat(r.toJson()).contains("\"requests\": 2001", "\"pipeline\": 4", "\"target\": \"kvs\"");
    }

    @Test
    void fillSetsEveryKeySoThatGetsHit() throws Exception {
        Workload gets = workload(3, 1, 16, 500, 1, 0, 3000);
        Result fill = LoadGenerator.run(gets.fill(), n -> { });
        assertThat(fill.sets()).isEqualTo(500);
        for (int i = 0; i < 500; i++) {
            assertThat(store.get(Keys.name(i))).as("key %d", i).contains("x".repeat(10));
        }
        Result r = LoadGenerator.run(gets, n -> { });
        assertThat(r.gets()).isEqualTo(3000);
        assertThat(r.misses()).isZero();
    }

    @Test
    void runsForADuration() throws Exception {
        Result r = LoadGenerator.run(workload(2, 1, 1, 10, 1, 1, 1).lasting(Duration.ofMillis(300)), n -> { });
        assertThat(r.requests()).isPositive();
        assertThat(r.seconds()).isGreaterThanOrEqualTo(0.3);
    }

    @Test
    void aValueOtherThanTheOneSetStopsTheRun() throws Exception {
        store.set(Keys.name(0), "something else");
        assertThatThrownBy(() -> LoadGenerator.run(workload(1, 1, 1, 1, 1, 0, 10), n -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("not the one set");
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Workload w = new Workload(Target.REDIS, new InetSocketAddress("127.0.0.1", port), 2, 1, 1, 1, 1, 1, 0, 1,
                null, false);
        assertThatThrownBy(() -> LoadGenerator.run(w, n -> { })).isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("cannot connect to redis at 127.0.0.1:" + port);
    }

    @Test
    void theCommandLineWritesJsonAndAPlot() throws Exception {
        Path json = dir.resolve("run.json");
        Path png = dir.resolve("run.png");
        int status = Cli.run(new BenchMain(), new String[] {"--addr", kvs.client.HostPort.show(server.address()),
                "-n", "500", "-c", "4", "--ratio", "9:1", "--json", json.toString(), "--plot", png.toString()});
        assertThat(status).isZero();
        assertThat(Files.readString(json)).contains("\"requests\": 500", "\"ratio\": \"9:1\"");
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void badOptionsAreUsageErrors() {
        for (String[] args : new String[][] {{"--ratio", "1:x"}, {"--ratio", "0:0"}, {"-c", "0"},
                {"--target", "memcached"}, {"-n", "5", "--duration", "1"}, {"--duration", "-1"},
                {"--plot", "out.jpg"}, {"--pipeline", "0"}}) {
            assertThat(Cli.run(new BenchMain(), args)).as(String.join(" ", args)).isEqualTo(2);
        }
    }
}
