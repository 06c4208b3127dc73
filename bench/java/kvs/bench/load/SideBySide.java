package kvs.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import kvs.bench.Stats;
import kvs.cli.Cli;
import kvs.client.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * kvs-server against Redis on loopback, same workloads, same durability, in one run (bench/compare.sh).
 * For each fsync policy it starts Redis (AOF with that policy), kvs-server with the kvs engine
 * and kvs-server with the mvstore engine, each in a fresh data directory, drives every workload
 * against each in turn, repeats the round, and prints the medians with each server's ratio to Redis
 * and the CPU time each server used per request (user + system, from /proc), which shows
 * efficiency apart from how the server and the load generator shared the cores.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Runs the same workloads against Redis and kvs-server (both engines) and prints one table.")
public final class SideBySide implements Callable<Integer> {

    /**
     * One line of the table: a command (GET, SET; or with redis-benchmark also INCR, MSET) at a
     * durability, driven by kvs-bench (the kvs protocol against kvs-server, RESP against Redis)
     * or by redis-benchmark (RESP against both: kvs-server's RESP listener).
     */
    record Row(String fsync, String command, int valueSize, int clients, int pipeline, boolean redisBenchmark) {
        String label() {
            return (redisBenchmark ? "redis-benchmark " : "") + command + " " + valueSize + " B, " + clients
                    + " clients, P" + pipeline;
        }

        boolean get() {
            return command.equals("GET");
        }
    }

    /** One measured run, and the server's CPU time per request over it. */
    record Run(double throughput, double p50Millis, double p99Millis, double cpuMicrosPerRequest, String json) {
    }

    static final List<Row> ROWS = rows();

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int size : new int[] {16, 100}) {
            for (int pipeline : new int[] {1, 16}) {
                rows.add(new Row("everysec", "SET", size, 50, pipeline, false));
                rows.add(new Row("everysec", "GET", size, 50, pipeline, false));
            }
        }
        rows.add(new Row("everysec", "SET", 16, 500, 1, false));
        rows.add(new Row("everysec", "GET", 16, 500, 1, false));
        rows.add(new Row("always", "SET", 16, 50, 1, false));
        rows.add(new Row("always", "SET", 16, 50, 16, false));
        for (int pipeline : new int[] {1, 16}) {
            for (String command : List.of("SET", "GET", "INCR", "MSET")) {
                rows.add(new Row("everysec", command, 16, 50, pipeline, true));
            }
        }
        return List.copyOf(rows);
    }

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "3", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1", description = "Unmeasured seconds before each run (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3", description = "Rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "Key space (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--kvs-home", paramLabel = "DIR", required = true, description = "The kvs checkout (for bin/kvs-server).")
    Path kvsHome;

    @Option(names = "--work-dir", paramLabel = "DIR", required = true, description = "Where the servers' data directories go.")
    Path workDir;

    @Option(names = "--out", paramLabel = "PREFIX", description = "Also write PREFIX.json, PREFIX.md and PREFIX.png.")
    Path out;

    @Option(names = "--only", paramLabel = "FSYNC", description = "Only the rows of this fsync policy (everysec or always).")
    String only;

    @Option(names = "--tool", paramLabel = "kvs-bench|redis-benchmark",
            description = "Only the rows this tool drives (default: both).")
    String tool;

    @Option(names = "--server-cpus", paramLabel = "LIST",
            description = "Run every server on these CPUs (taskset -c LIST), e.g. 1 while this generator runs on 0.")
    String serverCpus;

    public static void main(String[] args) {
        System.exit(Cli.run(new SideBySide(), args));
    }

    @Override
    public Integer call() throws Exception {
        Map<Row, Map<String, List<Run>>> results = new LinkedHashMap<>();
        for (String fsync : List.of("everysec", "always")) {
            List<Row> rows = ROWS.stream().filter(r -> r.fsync().equals(fsync))
                    .filter(r -> tool == null || r.redisBenchmark() == tool.equals("redis-benchmark")).toList();
            if ((only == null || only.equals(fsync)) && !rows.isEmpty()) {
                runPolicy(fsync, rows, results);
            }
        }
        String table = table(results);
        Cli.OUT.print(table);
        if (out != null) {
            Files.writeString(out.resolveSibling(out.getFileName() + ".md"), table, StandardCharsets.UTF_8);
            Files.writeString(out.resolveSibling(out.getFileName() + ".json"), json(results), StandardCharsets.UTF_8);
            plot(results, out.resolveSibling(out.getFileName() + ".png"));
        }
        return 0;
    }

    private void runPolicy(String fsync, List<Row> rows, Map<Row, Map<String, List<Run>>> results)
            throws IOException, InterruptedException {
        List<Server> servers = new ArrayList<>();
        Thread stopper = new Thread(() -> stopAll(servers));
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C still stops every server started
        try {
            servers.add(redis(fsync));
            servers.add(kvs("kvs", fsync));
            servers.add(kvs("mvstore", fsync));
            for (int round = 1; round <= repeat; round++) {
                for (Row row : rows) {
                    for (Server s : servers) {
                        Run run = row.redisBenchmark() ? redisBenchmark(s, row) : kvsBench(s, row);
                        System.err.printf(Locale.ROOT, "round %d/%d  %-8s %-48s %-11s %,12.0f requests/s %6.1f µs CPU/request%n",
                                round, repeat, fsync, row.label(), s.name, run.throughput(), run.cpuMicrosPerRequest());
                        results.computeIfAbsent(row, k -> new LinkedHashMap<>())
                                .computeIfAbsent(s.name, k -> new ArrayList<>()).add(run);
                    }
                }
            }
        } finally {
            stopAll(servers);
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    /** A kvs-bench run: the kvs protocol against kvs-server, RESP against Redis. */
    private Run kvsBench(Server s, Row row) throws IOException, InterruptedException {
        Workload w = new Workload(s.target, s.address, row.clients(), 1, row.pipeline(), keys, row.valueSize(),
                row.get() ? 1 : 0, row.get() ? 0 : 1, 0, seconds(duration), false);
        if (row.get()) { // every time: the rows before wrote values of other sizes
            LoadGenerator.run(w.fill(), n -> { });
        }
        LoadGenerator.run(w.lasting(seconds(warmup)), n -> { });
        long cpuBefore = s.cpuMicros();
        Result r = LoadGenerator.run(w, n -> { });
        double cpu = (double) (s.cpuMicros() - cpuBefore) / r.requests();
        return new Run(r.throughput(), r.millis(50), r.millis(99), cpu, r.toJson().strip());
    }

    /**
     * A redis-benchmark run against the server's RESP address, sized to last about --duration
     * (from the requests/s of a first, unmeasured run of about --warmup), as redis-benchmark
     * takes a request count, not a time.
     */
    private Run redisBenchmark(Server s, Row row) throws IOException, InterruptedException {
        String test = row.command().toLowerCase(Locale.ROOT);
        long probe = Math.max(1000, (long) (warmup * (row.pipeline() == 1 ? 20_000 : 200_000)));
        RedisBenchmark.Measure first = RedisBenchmark.run(generatorCpus(), s.respAddress, test, row.clients(),
                row.pipeline(), probe, keys, row.valueSize());
        long requests = Math.max(1000, (long) (first.throughput() * duration));
        long cpuBefore = s.cpuMicros();
        RedisBenchmark.Measure m = RedisBenchmark.run(generatorCpus(), s.respAddress, test, row.clients(),
                row.pipeline(), requests, keys, row.valueSize());
        double cpu = (double) (s.cpuMicros() - cpuBefore) / requests;
        return new Run(m.throughput(), m.p50Millis(), m.p99Millis(), cpu, m.toJson());
    }

    /** The CPUs the generator runs on when the servers are pinned: those not given to the servers (CPU 0). */
    private String generatorCpus() {
        return serverCpus == null ? null : "0";
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private Server redis(String fsync) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve("redis-" + fsync));
        InetSocketAddress addr = Server.freeLoopbackAddress();
        return Server.start("redis", Target.REDIS, addr, addr, pinned("redis-server",
                "--port", String.valueOf(addr.getPort()), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", fsync, "--save", "", "--daemonize", "no",
                "--protected-mode", "yes"), workDir.resolve("redis-" + fsync + ".log"));
    }

    private Server kvs(String engine, String fsync) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve(engine + "-" + fsync));
        InetSocketAddress addr = Server.freeLoopbackAddress();
        InetSocketAddress resp = Server.freeLoopbackAddress();
        return Server.start(engine.equals("kvs") ? "kvs" : "kvs-mvstore", Target.KVS, addr, resp,
                pinned(kvsHome.resolve("bin/kvs-server").toString(), "--addr", HostPort.show(addr),
                        "--resp-addr", HostPort.show(resp), "--data-dir", dir.toString(), "--engine", engine,
                        "--fsync", fsync, "--pool", "virtual"),
                workDir.resolve(engine + "-" + fsync + ".log"));
    }

    /** The command, run under {@code taskset} when --server-cpus is given. */
    private List<String> pinned(String... command) {
        List<String> c = new ArrayList<>();
        if (serverCpus != null) {
            c.addAll(List.of("taskset", "-c", serverCpus));
        }
        c.addAll(List.of(command));
        return c;
    }

    private static void stopAll(List<Server> servers) {
        servers.forEach(Server::close);
        servers.clear();
    }

    /** The median of {@code f} over a cell's runs. */
    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return Stats.median(runs.stream().mapToDouble(f).toArray());
    }

    private String table(Map<Row, Map<String, List<Run>>> results) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "Medians of %d runs of %.0f s each (after %.0f s of warm-up), %d keys, loopback%s; "
                        + "ratio = requests/s of the server / requests/s of Redis; CPU = the server process's "
                        + "user + system time per request.%n%n"
                        + "| fsync | workload | server | requests/s | p50 ms | p99 ms | ÷ Redis | CPU µs/req |%n"
                        + "|---|---|---|---:|---:|---:|---:|---:|%n", repeat, duration, warmup, keys,
                serverCpus == null ? "" : ", servers pinned to CPU " + serverCpus + " and the generator to the others"));
        results.forEach((row, cells) -> {
            double redis = median(cells.get("redis"), Run::throughput);
            cells.forEach((server, runs) -> t.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %,.0f | %.3f | %.3f | %.2f | %.1f |%n", row.fsync(), row.label(), server,
                    median(runs, Run::throughput), median(runs, Run::p50Millis), median(runs, Run::p99Millis),
                    median(runs, Run::throughput) / redis, median(runs, Run::cpuMicrosPerRequest))));
        });
        return t.toString();
    }

    private static String json(Map<Row, Map<String, List<Run>>> results) {
        List<String> runs = new ArrayList<>();
        results.forEach((row, cells) -> cells.forEach((server, rs) -> rs.forEach(r -> runs.add(
                "{\"fsync\": \"" + row.fsync() + "\", \"server\": \"" + server + "\", \"cpu_us_per_request\": "
                        + String.format(Locale.ROOT, "%.2f", r.cpuMicrosPerRequest())
                        + ", \"workload\": \"" + row.label() + "\", \"result\": " + r.json() + "}"))));
        return "{\"date\": \"" + LocalDate.now() + "\", \"runs\": [\n" + String.join(",\n", runs) + "\n]}\n";
    }

    private static void plot(Map<Row, Map<String, List<Run>>> results, Path png) throws IOException {
        List<String> labels = results.keySet().stream().map(r -> r.fsync() + ": " + r.label()).toList();
        List<String> servers = List.copyOf(results.values().iterator().next().keySet());
        double[][] rates = new double[servers.size()][labels.size()];
        double[][] ratios = new double[servers.size()][labels.size()];
        int col = 0;
        for (Map<String, List<Run>> cells : results.values()) {
            double redis = median(cells.get("redis"), Run::throughput);
            for (int s = 0; s < servers.size(); s++) {
                rates[s][col] = median(cells.get(servers.get(s)), Run::throughput);
                ratios[s][col] = rates[s][col] / redis;
            }
            col++;
        }
        Charts.save(List.of(
                Charts.bars("throughput", "requests/s", labels, servers, rates),
                Charts.bars("ratio to Redis (1.0 = as fast as Redis)", "÷ Redis", labels, servers, ratios)),
                2, 1, png);
    }
}
