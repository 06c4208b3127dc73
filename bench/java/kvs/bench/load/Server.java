package kvs.bench.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server process started for a comparison, stopped by its own handle. */
final class Server implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final String name;
    final Target target;
    final InetSocketAddress address;
    /** Where it speaks RESP: Redis's address, kvs-server's --resp-addr. */
    final InetSocketAddress respAddress;
    private final Process process;
    private final Path log;

    private Server(String name, Target target, InetSocketAddress address, InetSocketAddress respAddress, Process process,
                   Path log) {
        this.name = name;
        this.target = target;
        this.address = address;
        this.respAddress = respAddress;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} (which must listen on {@code address}), its output to {@code log},
     * and waits until it answers a GET.
     */
    static Server start(String name, Target target, InetSocketAddress address, InetSocketAddress respAddress,
                        List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Server s = new Server(name, target, address, respAddress, p, log);
        try {
            s.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        System.err.printf("started %s (pid %d) on %s%n", name, p.pid(), kvs.client.HostPort.show(address));
        return s;
    }

    private void awaitReady() throws IOException, InterruptedException {
        Workload probe = new Workload(target, address, 1, 1, 1, 1, 0, 1, 0, 1, null, false);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                LoadGenerator.run(probe, n -> { });
                return;
            } catch (ConnectException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.waitFor(1, TimeUnit.SECONDS); // its last words reach the log
                    throw new IOException(name + " did not start; its log " + log + " ends:\n" + tail(), e);
                }
                process.waitFor(100, TimeUnit.MILLISECONDS); // a poll: returns at once if it dies
            }
        }
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    /**
     * Stops the process by its PID (SIGTERM, then SIGKILL after 30 s, or at once if this thread
     * is interrupted) and waits for it to end.
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        System.err.printf("stopped %s (pid %d)%n", name, process.pid());
    }

    /**
     * User plus system CPU time the process has used so far, in microseconds, from
     * /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s, the Linux value of CLK_TCK
     * on every architecture kvs runs on).
     */
    long cpuMicros() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14, 15
        return ticks * 10_000;
    }

    /** A loopback address with a port free at the time of asking. */
    static InetSocketAddress freeLoopbackAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }
}
