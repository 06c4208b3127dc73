package kvs.bench.load;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;

import kvs.cli.Addresses;
import kvs.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvs-bench}: a load generator in the manner of redis-benchmark, for kvs-server and Redis. */
@Command(name = "kvs-bench", mixinStandardHelpOptions = true, versionProvider = kvs.cli.Version.class,
        description = {"Drives a kvs-server (or Redis, with the same workload) and reports throughput and latency.",
                "Each client is one connection that sends --pipeline requests, then waits for their replies."})
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--target", paramLabel = "kvs|redis", defaultValue = "kvs",
            description = "Protocol of the server (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--addr", paramLabel = "IP:PORT", converter = Addresses.class,
            description = "Server address (default: 127.0.0.1:4000 for kvs, 127.0.0.1:6379 for redis).")
    InetSocketAddress addr;

    @Option(names = {"-c", "--clients"}, paramLabel = "N", defaultValue = "50",
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-n", "--requests"}, paramLabel = "N",
            description = "Requests to send in all (default: 100000 unless --duration is given).")
    Long requests;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Send for this long instead of a number of requests.")
    Double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0",
            description = "Run the workload this long first, unmeasured (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = {"-r", "--keys"}, paramLabel = "N", defaultValue = "100000",
            description = "Key space: keys key:000000000000 to N-1, chosen at random (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = {"-d", "--value-size"}, paramLabel = "BYTES", defaultValue = "16",
            description = "Bytes in each value set (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--ratio", paramLabel = "GETS:SETS", defaultValue = "1:1",
            description = "Mix of gets and sets, e.g. 1:0 for gets only, 9:1 (default: ${DEFAULT-VALUE}).")
    String ratio;

    @Option(names = {"-P", "--pipeline"}, paramLabel = "N", defaultValue = "1",
            description = "Requests each client sends before it waits for replies (default: ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads of the generator (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--fill", description = "First set every key of the key space once, so that gets hit.")
    boolean fill;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Also plot throughput over time and latency percentiles to FILE.png.")
    Path plot;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.run(new BenchMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        Workload w = workload();
        if (plot != null && !plot.toString().endsWith(".png")) {
            throw usage("--plot: the file name must end in .png");
        }
        if (fill) {
            LoadGenerator.run(w.fill(), progress("filling"));
        }
        if (warmup > 0) {
            LoadGenerator.run(w.lasting(seconds(warmup, "--warmup")), progress("warming up"));
        }
        Result r = LoadGenerator.run(w, progress("running"));
        clearProgress();
        Cli.OUT.print(r.summary());
        if (json != null) {
            Files.writeString(json, r.toJson(), StandardCharsets.UTF_8);
        }
        if (plot != null) {
            Charts.run(r, plot);
        }
        return 0;
    }

    private Workload workload() {
        Target t;
        try {
            t = Target.parse(target);
        } catch (IllegalArgumentException e) {
            throw usage("--target: " + e.getMessage());
        }
        String[] mix = ratio.split(":", -1);
        int gets, sets;
        try {
            if (mix.length != 2) {
                throw new NumberFormatException();
            }
            gets = Integer.parseInt(mix[0]);
            sets = Integer.parseInt(mix[1]);
        } catch (NumberFormatException e) {
            throw usage("--ratio: '" + ratio + "' is not GETS:SETS, e.g. 9:1");
        }
        if (requests != null && duration != null) {
            throw usage("give --requests or --duration, not both");
        }
        InetSocketAddress address = addr != null ? addr : new InetSocketAddress("127.0.0.1", t.defaultPort());
        try {
            return new Workload(t, address, clients, threads, pipeline, keys, valueSize, gets, sets,
                    duration == null ? (requests == null ? 100_000 : requests) : 0,
                    duration == null ? null : seconds(duration, "--duration"), false);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private Duration seconds(double s, String option) {
        if (!(s > 0) || s > 1e6) {
            throw usage(option + " must be a positive number of seconds, not " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** A progress line on stderr, redrawn in place, when stderr is a terminal (the launcher tells). */
    private LongConsumer progress(String what) {
        if (quiet || !Boolean.getBoolean("kvs.bench.terminal")) {
            return n -> { };
        }
        long start = System.nanoTime();
        return n -> {
            double s = (System.nanoTime() - start) / 1e9;
            Cli.ERR.printf(Locale.ROOT, "\r%s: %,d requests in %.1f s, %,.0f requests/s   ", what, n, s, n / s);
        };
    }

    private void clearProgress() {
        if (!quiet && Boolean.getBoolean("kvs.bench.terminal")) {
            Cli.ERR.print("\r\033[K");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
