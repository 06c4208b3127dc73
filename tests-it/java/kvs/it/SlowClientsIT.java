package kvs.it;

import static kvs.it.AbuseIT.assertUnharmed;
import static kvs.it.AbuseIT.awaitOpenSockets;
import static kvs.it.AbuseIT.settledOpenSockets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import kvs.client.KvsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients that hold the server without misbehaving in any one frame: 10,000 idle connections
 * from another process (all accepted, a new client served at once, the memory they cost
 * measured), slowloris clients that trickle a frame byte by byte, and clients that pipeline
 * requests for large values and never read. The offenders are cut off by the read timeout and
 * by the write timeout on replies that make no progress, over either protocol; a well-behaved
 * client meanwhile is answered correctly and within a second.
 */
class SlowClientsIT {

    private static final int IDLE = 10_000;

    @TempDir
    Path data;
    @TempDir
    Path logs;
    /** Certificates and password files of the secured runs. */
    @TempDir
    Path keys;

    @Test
    void tenThousandIdleConnections_fromAnotherProcess_areAccepted_andANewClientIsServedAtOnce() throws Exception {
        // Room for the idle ones and the new client exactly: the default limit, 10,000, would turn the new one away.
        try (ServerProcess server = ServerProcess.start(data, logs, "--max-clients", Integer.toString(IDLE + 1))) {
            long baseline = settledOpenSockets(server);
            long rssBefore = server.residentKib();
            Process idle = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), IdleClients.class.getName(),
                    "127.0.0.1", Integer.toString(server.port()), Integer.toString(IDLE))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(idle.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("connected " + IDLE);
                await("the server holds every idle connection").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(server::openSockets, n -> n >= baseline + IDLE);
                long rssAfter = server.residentKib();
                long t0 = System.nanoTime();
                try (KvsClient client = KvsClient.connect(server.address())) {
                    client.set("after-idle", "yes");
                    assertThat(client.get("after-idle")).isEqualTo(Optional.of("yes"));
                }
                double millis = (System.nanoTime() - t0) / 1e6;
                System.out.printf("SlowClientsIT %d idle connections: server RSS %d -> %d KiB (%.1f KiB each); "
                        + "a new client's connect, set and get took %.1f ms%n", IDLE, rssBefore, rssAfter,
                        (rssAfter - rssBefore) / (double) IDLE, millis);
                assertThat(millis).as("a new client's first requests (ms)").isLessThan(1000);
                assertThat(server.process.isAlive()).isTrue();
            } finally {
                idle.getOutputStream().close(); // the child closes its connections and exits
                if (!idle.waitFor(60, TimeUnit.SECONDS)) {
                    idle.destroyForcibly();
                }
            }
            awaitOpenSockets(server, baseline);
        }
    }
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kvs.it.AbuseIT#wiresAndTransports")
    void slowlorisClients_areCutOffByTheReadTimeout_whileOthersAreServed(Wire wire, Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("", transport.in(keys), data, logs, "--timeout", "1",
                "--resp-addr", "127.0.0.1:0")) {
            long baseline = settledOpenSockets(server);
            GoodClient good = new GoodClient(server);
            AtomicInteger cutOff = new AtomicInteger();
            List<Thread> slow = new ArrayList<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 50; i++) {
                slow.add(Thread.ofPlatform().name("slowloris-" + i).start(() -> {
                    try (Socket s = server.connect(wire, 10_000)) {
                        s.setSoTimeout(100); // the pace of the trickle, and how the close is seen
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        long start = System.nanoTime();
                        out.write(wire.startOfARequest(1000));
                        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
                            out.write('x');
                            try {
                                if (in.read() < 0) {
                                    cutOff.incrementAndGet();
                                    return;
                                }
                            } catch (SocketTimeoutException e) {
                                continue; // still open: trickle on
                            }
                        }
                        failures.add(Thread.currentThread().getName() + ": still connected after 3 s");
                    } catch (SocketException e) {
                        cutOff.incrementAndGet(); // reset, or a write to a closed connection
                    } catch (IOException e) {
                        failures.add(Thread.currentThread().getName() + ": " + e);
                    }
                }));
            }
            for (Thread t : slow) {
                t.join();
            }
            good.close();
            System.out.println("SlowClientsIT slowloris (" + wire + ", " + transport + "): " + cutOff + " of 50 cut off; good client: " + good.summary());
            assertThat(failures).isEmpty();
            assertThat(cutOff).hasValue(50);
            assertUnharmed(server, good, baseline);
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kvs.it.AbuseIT#wiresAndTransports")
    void clientsThatNeverRead_areCutOffByTheWriteTimeout_withA64MiBHeap(Wire wire, Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("-Xmx64m", transport.in(keys), data, logs, "--timeout", "1",
                "--resp-addr", "127.0.0.1:0")) {
            try (KvsClient client = server.client()) {
                client.set("big", "v".repeat(256 << 10));
            }
            long baseline = settledOpenSockets(server);
            GoodClient good = new GoodClient(server);
            // 1000 pipelined requests per write, as a pipelining client sends them (one small write per
            // request would mostly measure how the test's own threads load the machine)
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                batch.write(wire.get("big"));
            }
            byte[] gets = batch.toByteArray();
            AtomicInteger cutOff = new AtomicInteger();
            List<Socket> sockets = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Socket s = server.connect(wire, 10_000);
                sockets.add(s);
                writers.add(Thread.ofPlatform().name("never-reads-" + i).start(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        while (true) { // requests for 256 KiB each, never a reply read
                            out.write(gets);
                        }
                    } catch (IOException e) {
                        cutOff.incrementAndGet(); // the server closed the connection
                    }
                }));
            }
            try {
                await("every never-reading client cut off").atMost(Duration.ofSeconds(10))
                        .until(cutOff::get, n -> n == 20);
                awaitOpenSockets(server, baseline + 1); // the good client's connection is still open
            } finally {
                for (Socket s : sockets) {
                    s.close(); // also ends a writer still blocked
                }
                for (Thread t : writers) {
                    t.join();
                }
            }
            good.close();
            System.out.println("SlowClientsIT never-reading (" + wire + ", " + transport + "): " + cutOff + " of 20 cut off; good client: " + good.summary());
            assertUnharmed(server, good, baseline);
        }
    }
}
