package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import kvs.KvsException;
import kvs.check.Reliability;
import kvs.client.KvsClient;
import kvs.store.Bytes;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The crash promise: an acknowledged write survives a process crash. kvs-server runs in a child
 * process; 8 clients write unique values to keys of their own (ten overwritten again and again,
 * and fresh ones); the test kills the server with SIGKILL at a random moment (one cycle in four
 * during start-up or recovery), restarts it, and checks every key against the clients' history:
 * the last acknowledged value or the one write in flight after it, never a value not written,
 * nothing for a key never acknowledged unless its write was in flight.
 * <p>
 * Cycles per engine and policy: 3 times {@code kvs.reliability.scale} (1 in every build, 5 in
 * the reliability profile) times {@code kvs.stress}. Seed: {@code -Dkvs.seed=N} to replay; a failure prints it and writes the
 * history to target/reliability/.
 */
class KillLoopIT {

    private static final int CLIENTS = 8;
    private static final int OVERWRITTEN_KEYS = 10;
    private static final long SEED = Reliability.SEED;
    private static final int CYCLES = Reliability.rounds(3);

    @TempDir
    Path dir;
    @TempDir
    Path logs;
    /** Certificates and password files of the secured run. */
    @TempDir
    Path keys;

    /** What every value ends with, so values of any bytes go through every kill. */
    static final Bytes TAIL = Bytes.wrap(new byte[] {0, (byte) 0xFF, (byte) 0xC3});

    /** One key's history, written by one client only, so its writes are ordered by {@code seq}. */
    static final class KeyHistory {
        final String key;
        long acked = -1;
        long inFlight = -1;
        final List<String> events = new ArrayList<>();

        KeyHistory(String key) {
            this.key = key;
        }

        String value(long seq) {
            return key + "=" + seq;
        }

        /** The bytes stored for {@code seq}: its value, then bytes that are not UTF-8 (NUL, 0xFF, a cut sequence). */
        Bytes stored(long seq) {
            return Bytes.utf8(value(seq)).concat(TAIL);
        }

        /** Checks what the restarted server holds, then takes it as the key's state. */
        void check(Optional<String> found, int cycle) {
            events.add("cycle " + cycle + ": read " + found.orElse("(absent)"));
            if (found.isEmpty()) {
                assertThat(acked).as("%s: acknowledged %s is lost", key, value(acked)).isEqualTo(-1);
                inFlight = -1;
                return;
            }
            String v = found.get();
            long seq = v.startsWith(key + "=") ? Long.parseLong(v.substring(key.length() + 1)) : Long.MIN_VALUE;
            assertThat(seq == acked || seq == inFlight && inFlight > acked)
                    .as("%s holds %s; acknowledged %s, in flight %s", key, v,
                            acked < 0 ? "nothing" : value(acked), inFlight < 0 ? "nothing" : value(inFlight))
                    .isTrue();
            acked = seq;
            inFlight = -1;
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"kvs, everysec", "kvs, always", "mvstore, everysec", "mvstore, always"})
    void acknowledgedWrites_surviveSigkill(String engine, String fsync) throws Exception {
        run(CYCLES, "kill-loop-" + engine + "-" + fsync, "--engine", engine, "--fsync", fsync);
    }

    /**
     * kvs compacting all the time (16 KiB files, a 64 KiB threshold) while the clients write, so
     * kills land in the middle of compactions: the same checks, and at least one kill must come
     * while a compaction runs (its start logged, not its end); prints how many did.
     */
    @ParameterizedTest(name = "kvs compacting, {0}")
    @CsvSource({"everysec", "always"})
    void acknowledgedWrites_surviveSigkill_duringCompaction(String fsync) throws Exception {
        killInCompaction = true;
        run(Math.max(2, CYCLES / 2), "kill-loop-compacting-" + fsync, "--engine", "kvs", "--fsync", fsync,
                "--compaction-threshold", "65536", "--max-file-size", "16384");
        assertThat(killsDuringCompaction).as("kills in the middle of a compaction").isPositive();
        System.out.printf("KillLoopIT compacting, %s: %d of %d kills came in the middle of a compaction%n",
                fsync, killsDuringCompaction, Math.max(2, CYCLES / 2));
    }

    /**
     * The kill loop once more with TLS and a password on (issue 15): kvs, every write synced. The
     * clients authenticate on every reconnection; what survives must not depend on how they came.
     * Three cycles in every profile: the reliability profile's longer loops are the plain ones.
     */
    @Test
    void acknowledgedWrites_surviveSigkill_overTlsWithAPassword() throws Exception {
        transport = Transport.secured(keys);
        run(3, "kill-loop-kvs-always-tls", "--engine", "kvs", "--fsync", "always");
    }

    /** JVM flags that make kvs-server log each compaction's start and end (at debug, so off by default). */
    private static final String COMPACTIONS_LOGGED = "-Dorg.slf4j.simpleLogger.log.kvs.engine.Compactor=debug";

    /** How the clients reach the server. */
    private Transport transport = Transport.PLAIN;
    private int killsDuringCompaction;
    /**
     * Whether the first kill and three in four after it wait for a compaction to be running (its
     * start logged, not its end: {@link #COMPACTIONS_LOGGED}).
     */
    private boolean killInCompaction;

    /** Runs {@code cycles} kill cycles and a final check on one data directory, which it returns. */
    private Path run(int cycles, String name, String... serverArgs) throws Exception {
        Random random = new Random(SEED ^ name.hashCode());
        Map<String, KeyHistory> history = new ConcurrentHashMap<>();
        Path data = Files.createDirectories(dir.resolve("data"));
        try {
            for (int cycle = 1; cycle <= cycles; cycle++) {
                runCycle(cycle, serverArgs, data, random, history);
            }
            try (ServerProcess s = ServerProcess.start("", transport, data, logs, serverArgs)) {
                verify(s, history, cycles + 1);
            }
            assertThat(history).isNotEmpty();
            return data;
        } catch (AssertionError | Exception e) {
            Path file = writeHistory(name, history);
            throw new AssertionError(Reliability.seed() + "; history in " + file
                    + ": " + e.getMessage(), e);
        }
    }

    private void runCycle(int cycle, String[] serverArgs, Path data, Random random,
                          Map<String, KeyHistory> history) throws Exception {
        ServerProcess s = ServerProcess.launch(killInCompaction ? COMPACTIONS_LOGGED : "", transport, data, logs,
                serverArgs);
        try {
            if (cycle > 1 && random.nextInt(4) == 0) { // kill during JVM start-up or recovery (not the first: it has nothing to recover)
                s.process.waitFor(random.nextInt(800), TimeUnit.MILLISECONDS);
                return;
            }
            s.awaitReady();
            verify(s, history, cycle);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long clientSeed = random.nextLong();
                String name = "c" + c;
                clients.add(Thread.ofPlatform().name("kill-loop-" + name).start(
                        () -> write(s, name, new Random(clientSeed), history, stop)));
            }
            boolean exited = killInCompaction && (cycle == 1 || random.nextInt(4) != 0)
                    ? awaitCompaction(s)
                    : s.process.waitFor(100 + random.nextInt(1400), TimeUnit.MILLISECONDS); // the kill's moment
            assertThat(exited).as("kvs-server exited by itself under load; its log:%n%s", s.log()).isFalse();
            s.kill();
            killsDuringCompaction += compacting(s.log()) ? 1 : 0;
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
        } finally {
            s.close();
        }
    }

    /** Waits (3 s at most) until a compaction is running; returns whether the server exited meanwhile. */
    private static boolean awaitCompaction(ServerProcess s) {
        try {
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(2)).pollDelay(Duration.ZERO)
                    .until(() -> !s.process.isAlive() || compacting(s.log()));
        } catch (ConditionTimeoutException e) {
            // no compaction started in time: kill now all the same
        }
        return !s.process.isAlive();
    }

    private static boolean compacting(String log) {
        return log.lastIndexOf("compacting ") > log.lastIndexOf("compacted ");
    }

    /** One client: sets its own keys until the server dies or the cycle ends. */
    private static void write(ServerProcess s, String name, Random random, Map<String, KeyHistory> history,
                              AtomicBoolean stop) {
        try (KvsClient client = s.client()) {
            long fresh = history.keySet().stream().filter(k -> k.startsWith(name + "/f")).count();
            while (!stop.get()) {
                String key = random.nextInt(3) == 0 ? name + "/f" + fresh++ : name + "/o" + random.nextInt(OVERWRITTEN_KEYS);
                KeyHistory h = history.computeIfAbsent(key, KeyHistory::new);
                long seq = Math.max(h.acked, h.inFlight) + 1;
                h.inFlight = seq;
                client.set(Bytes.utf8(key), h.stored(seq));
                h.acked = seq;
                h.inFlight = -1;
            }
        } catch (KvsException e) {
            // the server was killed: this client's write in flight, if any, stays in flight
        }
    }

    /** A stored value's text, checked to end with {@link #TAIL} (else returned whole, to fail the check). */
    private static String withoutTail(Bytes stored) {
        int n = stored.length() - TAIL.length();
        return n >= 0 && stored.slice(n, stored.length()).equals(TAIL) ? stored.slice(0, n).utf8() : stored.toString();
    }

    private static void verify(ServerProcess s, Map<String, KeyHistory> history, int cycle) throws KvsException {
        try (KvsClient client = s.client()) {
            for (KeyHistory h : history.values()) {
                h.check(client.getBytes(Bytes.utf8(h.key)).map(KillLoopIT::withoutTail), cycle);
            }
        }
    }

    private Path writeHistory(String name, Map<String, KeyHistory> history) throws IOException {
        Path out = Reliability.historyFile(name);
        Map<String, KeyHistory> sorted = new LinkedHashMap<>();
        history.keySet().stream().sorted().forEach(k -> sorted.put(k, history.get(k)));
        StringBuilder b = new StringBuilder("seed " + SEED + "\n");
        sorted.values().forEach(h -> b.append(h.key).append(": acked ").append(h.acked).append(", in flight ")
                .append(h.inFlight).append("; ").append(String.join("; ", h.events)).append('\n'));
        Files.writeString(out, b, StandardCharsets.UTF_8);
        return out;
    }
}
