package kvs.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of Redis's own {@code redis-benchmark} against a RESP server: the same tool and protocol
 * on both sides of a comparison. Reads its {@code --csv} line: requests/s and latency percentiles.
 */
final class RedisBenchmark {

    /** What one run measured. */
    record Measure(String test, double throughput, double p50Millis, double p99Millis, long requests) {
        String toJson() {
            return String.format(java.util.Locale.ROOT,
                    "{\"tool\": \"redis-benchmark\", \"test\": \"%s\", \"requests\": %d, \"throughput\": %.1f, "
                            + "\"latencyMillis\": {\"p50\": %.4f, \"p99\": %.4f}}", test, requests, throughput, p50Millis, p99Millis);
        }
    }

    private RedisBenchmark() {
    }

    /**
     * Runs {@code redis-benchmark -t test} with {@code clients} connections, {@code pipeline}
     * requests in flight on each, {@code requests} requests over {@code keys} random keys and
     * values of {@code valueSize} bytes, under {@code taskset -c cpus} when cpus is given.
     */
    static Measure run(String cpus, InetSocketAddress address, String test, int clients, int pipeline, long requests,
                       int keys, int valueSize) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.addAll(List.of("redis-benchmark", "-h", address.getHostString(), "-p", String.valueOf(address.getPort()),
                "-t", test, "-c", String.valueOf(clients), "-P", String.valueOf(pipeline), "-n", String.valueOf(requests),
                "-r", String.valueOf(keys), "-d", String.valueOf(valueSize), "--csv"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        for (String line : output.split("\r?\n")) {
            String[] f = line.replace("\"", "").split(",");
            if (status == 0 && f.length >= 7 && f[0].toLowerCase(java.util.Locale.ROOT).startsWith(test)) {
                return new Measure(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[4]), Double.parseDouble(f[6]), requests);
            }
        }
        throw new IOException("redis-benchmark -t " + test + " failed (exit " + status + "): " + output);
    }
}
