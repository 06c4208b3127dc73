package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kvs.it.Programs;
import kvs.it.Programs.Result;
import kvs.it.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command-line rules of README.md, "kvs-server options", through the real bin/kvs-server and bin/kvs-client. */
class CliIT {

    private static final Path HOME = ServerProcess.HOME;
    private static final String VERSION = "0.1.0-SNAPSHOT";

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    private final List<Server> servers = new ArrayList<>();

    /** A running kvs-server (see {@link ServerProcess}), stopped by the test that started it. */
    final class Server {
        final ServerProcess process;
        final int port;

        Server(String... args) throws Exception {
            process = ServerProcess.start(dir, logs, args);
            servers.add(this);
            port = process.port();
        }

        String log() throws IOException {
            return process.log();
        }

        String addr() {
            return process.addr();
        }

        /** SIGTERM, then the graceful-stop checks. */
        void stop() throws Exception {
            process.process.destroy();
            assertThat(process.process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            servers.remove(this);
            assertThat(process.process.exitValue()).as("exit status after SIGTERM; log:%n%s", log()).isZero();
            assertThat(log()).contains("stopping", "stopped");
        }
    }

    @AfterEach
    void stopServers() throws Exception {
        for (Server s : List.copyOf(servers)) {
            s.process.close();
        }
    }

    /** Runs a program to its end; its output goes to files, which keep every byte of it. */
    private Result run(String program, String... args) throws Exception {
        return run(Map.of(), program, args);
    }

    /** Runs a program to its end with {@code env} added to its environment (and KVS_PASSWORD only if there). */
    private Result run(Map<String, String> env, String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin").resolve(program).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().remove("KVS_PASSWORD");
        builder.environment().putAll(env);
        return Programs.run(builder, logs);
    }

    private Result client(Server s, String... args) throws Exception {
        return client(Map.of(), s, args);
    }

    /** Runs kvs-client with {@code stdin} as its standard input; its standard output's bytes, after it exits 0. */
    private byte[] clientBytes(Server s, byte[] stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin").resolve("kvs-client").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--addr", s.addr()));
        Path in = Files.write(Files.createTempFile(logs, "kvs-client-", ".in"), stdin);
        Path out = Files.createTempFile(logs, "kvs-client-", ".out");
        Path err = Files.createTempFile(logs, "kvs-client-", ".err");
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError("kvs-client did not finish: " + cmd);
        }
        assertThat(p.exitValue()).as("exit of %s; stderr: %s", cmd, Files.readString(err)).isZero();
        return Files.readAllBytes(out);
    }

    /** {@code set KEY -} stores standard input's bytes unchanged; {@code get} writes them back unchanged. */
    @Test
    void binaryValues_goFromStdin_andComeBackToStdoutUnchanged() throws Exception {
        Server s = new Server();
        byte[] all = new byte[256 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(clientBytes(s, all, "set", "blob", "-")).isEmpty();
        assertThat(clientBytes(s, new byte[0], "get", "blob")).as("not text: its bytes, nothing after").isEqualTo(all);
        assertThat(clientBytes(s, "text\nwith a newline\n".getBytes(StandardCharsets.UTF_8), "set", "t", "-")).isEmpty();
        assertThat(client(s, "get", "t")).as("text: printed, and a newline")
                .isEqualTo(new Result(0, "text\nwith a newline\n\n", ""));
        assertThat(clientBytes(s, new byte[0], "get", "--raw", "t")).as("--raw: the bytes alone")
                .isEqualTo("text\nwith a newline\n".getBytes(StandardCharsets.UTF_8));
        assertThat(clientBytes(s, new byte[0], "set", "empty", "-")).isEmpty();
        assertThat(client(s, "get", "empty")).isEqualTo(new Result(0, "\n", ""));
        s.stop();
    }

    private Result client(Map<String, String> env, Server s, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr");
        all.add(s.addr());
        return run(env, "kvs-client", all.toArray(String[]::new));
    }

    /** A password file readable by its owner only, unless {@code permissions} say otherwise. */
    private Path passwordFile(String name, String content, String permissions) throws IOException {
        Path file = logs.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void aPassword_isAskedOfEveryClient_byFileOrEnvironment_andStatsCountTheFailures() throws Exception {
        Path password = passwordFile("password", "s3cret\nthe second line is not part of it\n", "rw-------");
        Server s = new Server("--password-file", password.toString());
        assertThat(s.log()).contains("a password is required").doesNotContain("may be read by others");
        assertThat(client(s, "ping")).isEqualTo(new Result(0, "PONG\n", ""));
        Result anonymous = client(s, "set", "k", "v");
        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.err()).contains("unauthorized", "authentication required");
        Result wrong = client(s, "get", "k", "--password-file", passwordFile("wrong", "nope", "rw-------").toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("invalid password");
        assertThat(client(Map.of("KVS_PASSWORD", "nope"), s, "get", "k").exit()).isEqualTo(1);

        assertThat(client(s, "set", "k", "v", "--password-file", password.toString())).isEqualTo(new Result(0, "", ""));
        assertThat(client(Map.of("KVS_PASSWORD", "s3cret"), s, "get", "k")).isEqualTo(new Result(0, "v\n", ""));
        Result stats = client(Map.of("KVS_PASSWORD", "s3cret"), s, "stats");
        assertThat(stats.exit()).isZero();
        assertThat(stats.out().lines()).contains("engine: kvs", "keys: 1", "auth_failures: 2", "connections_current: 1",
                "version: " + VERSION).allMatch(line -> line.matches("[a-z_]+: .*"));
        Result missing = client(s, "get", "k", "--password-file", dir.resolve("absent").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read the password file");
        s.stop();

        Server readable = new Server("--password-file", passwordFile("shared", "s3cret", "rw-r--r--").toString());
        assertThat(readable.log()).contains("may be read by others than its owner");
        readable.stop();
    }

    @Test
    void clusterChanges_outsideAShardedCluster_areRefused_andBadOnesAreUsageErrors() throws Exception {
        Server s = new Server();
        for (String[] change : List.of(new String[] {"cluster", "rebalance"}, new String[] {"cluster", "add-shard", "a", "b", "c"},
                new String[] {"cluster", "move-slots", "0", "1", "5"})) {
            Result refused = client(s, change);
            assertThat(refused.exit()).as(String.join(" ", change)).isEqualTo(1);
            assertThat(refused.err()).contains("server error bad_request: not a sharded cluster");
        }
        assertUsageError(client(s, "cluster", "add-shard", "a", "b"));
        assertUsageError(client(s, "cluster", "add-shard"));
        assertUsageError(run("kvs-server", "--join", "--node-id", "n4", "--peer", "n1=127.0.0.1:1,127.0.0.1:2",
                "--data-dir", dir.toString()));
    }

    @Test
    void securityOptions_badValues_areUsageErrors() throws Exception {
        assertUsageError(run("kvs-server", "--protected-mode", "maybe", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--max-clients", "0", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--password-file", passwordFile("empty", "\n", "rw-------").toString(),
                "--data-dir", dir.toString()));
        Result missing = run("kvs-server", "--password-file", dir.resolve("absent").toString(), "--data-dir", dir.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read the password file");
        assertThat(Files.exists(dir.resolve("engine"))).as("no marker after failed starts").isFalse();
        Server open = new Server("--protected-mode", "no");
        assertThat(open.log()).contains("protected mode off");
        open.stop();
        Server defaults = new Server();
        assertThat(defaults.log()).contains("protected mode: no password, loopback clients only");
        defaults.stop();
    }

    private static void assertUsageError(Result r) {
        assertThat(r.exit()).as("exit code of a usage error; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isNotBlank();
    }

    @Test
    void clientUsageErrors_exitTwoWithAMessage() throws Exception {
        assertUsageError(run("kvs-client", "get"));
        assertUsageError(run("kvs-client", "-i", "get", "k"));
        assertUsageError(run("kvs-client", "set", "k"));
        assertUsageError(run("kvs-client", "get", "a", "b"));
        assertUsageError(run("kvs-client", "rm"));
        assertUsageError(run("kvs-client", "--frob", "get", "k"));
        assertUsageError(run("kvs-client", "frob", "k"));
        assertUsageError(run("kvs-client", "ttl"));
        assertUsageError(run("kvs-client", "expire", "k"));
        assertUsageError(run("kvs-client", "persist", "a", "b"));
        assertUsageError(run("kvs-client", "mget"));
        for (String[] args : List.of(new String[] {"set", "k", "v", "--ttl", "5x"}, new String[] {"set", "k", "v", "--ttl", "0"},
                new String[] {"set", "k", "v", "--ttl", "1.5s"}, new String[] {"expire", "k", "soon"},
                new String[] {"expire", "k", "9999999999999h"})) {
            Result r = run("kvs-client", args);
            assertUsageError(r);
            assertThat(r.err().lines().findFirst().orElseThrow()).as("stderr of %s", List.of(args))
                    .contains("bad time to live '" + args[args.length - 1] + "'");
        }
        Result bad = run("kvs-client", "get", "k", "--addr", "not-an-address");
        assertUsageError(bad);
        assertThat(bad.err().lines().findFirst().orElseThrow()).contains("not-an-address");
    }

    @Test
    void versions_arePrintedOnStdout() throws Exception {
        for (String program : List.of("kvs-client", "kvs-server")) {
            Result r = run(program, "-V");
            assertThat(r.exit()).isZero();
            assertThat(r.out().strip()).isEqualTo(VERSION);
        }
    }

    @Test
    void clientWithoutAServer_failsWithExitOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Result r = run("kvs-client", "get", "k", "--addr", "127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("cannot connect to 127.0.0.1:" + port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void commands_persistAcrossARestart(String engine) throws Exception {
        Server s = new Server("--engine", engine);
        assertThat(s.log()).contains(VERSION, "engine " + engine, "pool virtual", "127.0.0.1:" + s.port);
        assertThat(client(s, "set", "k", "v1")).isEqualTo(new Result(0, "", ""));
        assertThat(client(s, "set", "k", "v2")).isEqualTo(new Result(0, "", ""));
        assertThat(client(s, "set", "gone", "x").exit()).isZero();
        assertThat(client(s, "rm", "gone")).isEqualTo(new Result(0, "", ""));
        assertThat(client(s, "set", "ключ 🔑", "значение ✓").exit()).isZero();
        assertThat(client(s, "get", "k").out()).isEqualTo("v2\n");
        Result absent = client(s, "get", "absent");
        assertThat(absent).isEqualTo(new Result(0, "Key not found\n", ""));
        Result rmAbsent = client(s, "rm", "absent");
        assertThat(rmAbsent.exit()).isEqualTo(1);
        assertThat(rmAbsent.out()).isEmpty();
        assertThat(rmAbsent.err()).isEqualTo("Key not found\n");
        s.stop();

        Server again = new Server(); // no --engine: the directory's engine
        assertThat(again.log()).contains("engine " + engine);
        assertThat(client(again, "get", "k").out()).isEqualTo("v2\n");
        assertThat(client(again, "get", "gone").out()).isEqualTo("Key not found\n");
        assertThat(client(again, "mget", "k", "gone", "ключ 🔑")).as("a line each, Key not found as get")
                .isEqualTo(new Result(0, "v2\nKey not found\nзначение ✓\n", ""));
        assertThat(run("kvs-client", "--addr", again.addr(), "get", "ключ 🔑").out()).isEqualTo("значение ✓\n");
        again.stop();
    }

    /** README.md, "Quick start": set --ttl, ttl, expire and persist, with the outputs and exit codes of get and rm. */
    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void expiryCommands_setReadMoveAndRemoveADeadline(String engine) throws Exception {
        Server s = new Server("--engine", engine);
        assertThat(client(s, "set", "k", "v", "--ttl", "1h")).isEqualTo(new Result(0, "", ""));
        assertThat(remainingMillis(client(s, "ttl", "k"))).isBetween(3_000_000L, 3_600_000L);
        assertThat(client(s, "persist", "k")).isEqualTo(new Result(0, "", ""));
        assertThat(client(s, "ttl", "k")).isEqualTo(new Result(0, "No deadline\n", ""));
        assertThat(client(s, "persist", "k")).as("none to remove").isEqualTo(new Result(0, "No deadline\n", ""));
        assertThat(client(s, "expire", "k", "90")).as("a bare number is seconds").isEqualTo(new Result(0, "", ""));
        assertThat(remainingMillis(client(s, "ttl", "k"))).isBetween(30_000L, 90_000L);
        assertThat(client(s, "expire", "k", "2700000ms")).isEqualTo(new Result(0, "", ""));
        assertThat(remainingMillis(client(s, "ttl", "k"))).isBetween(2_000_000L, 2_700_000L);
        assertThat(client(s, "expire", "k", "2h")).isEqualTo(new Result(0, "", ""));
        assertThat(remainingMillis(client(s, "ttl", "k"))).isBetween(6_000_000L, 7_200_000L);
        assertThat(client(s, "expire", "k", "0")).as("0 removes the key").isEqualTo(new Result(0, "", ""));
        assertThat(client(s, "ttl", "k")).isEqualTo(new Result(0, "Key not found\n", ""));
        assertThat(client(s, "get", "k")).isEqualTo(new Result(0, "Key not found\n", ""));
        assertThat(client(s, "expire", "k", "30s")).as("as rm of an absent key").isEqualTo(new Result(1, "", "Key not found\n"));
        assertThat(client(s, "persist", "k")).isEqualTo(new Result(0, "No deadline\n", ""));
        Result overflow = client(s, "set", "k", "v", "--ttl", "9223372036854775807ms");
        assertThat(overflow.exit()).isEqualTo(1);
        assertThat(overflow.err()).startsWith("set: ").contains("bad_request", "invalid expire time");
        assertThat(client(s, "set", "k", "v", "--ttl", "15m")).isEqualTo(new Result(0, "", ""));
        s.stop();

        Server again = new Server();
        assertThat(remainingMillis(client(again, "ttl", "k"))).as("the deadline survives a restart").isBetween(1L, 900_000L);
        again.stop();
    }

    /** The milliseconds {@code ttl} printed, as {@code 29998ms until 2026-01-01T00:00:30Z}. */
    private static long remainingMillis(Result ttl) {
        assertThat(ttl.exit()).isZero();
        assertThat(ttl.err()).isEmpty();
        Matcher m = Pattern.compile("(\\d+)ms until (\\S+)\n").matcher(ttl.out());
        assertThat(m.matches()).as("ttl's output: %s", ttl.out()).isTrue();
        long remaining = Long.parseLong(m.group(1));
        long deadline = Instant.parse(m.group(2)).toEpochMilli();
        assertThat(deadline - System.currentTimeMillis()).as("the deadline printed").isBetween(remaining - 60_000, remaining + 1);
        return remaining;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void theOtherEngine_isRefused(String engine) throws Exception {
        new Server("--engine", engine).stop();
        String other = engine.equals("kvs") ? "mvstore" : "kvs";
        Result r = run("kvs-server", "--addr", "127.0.0.1:0", "--data-dir", dir.toString(), "--engine", other);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("holds a '" + engine + "' store");
    }

    /** --config FILE: the file's settings apply, the command line's win, and a bad one names its line. */
    @Test
    void aConfigurationFile_setsOptions_theCommandLineOverridesIt_andABadLineIsNamed() throws Exception {
        Path conf = Files.write(logs.resolve("kvs.conf"), List.of("# test", "protected-mode no", "max-clients 3", "fsync always"));
        Server s = new Server("--config", conf.toString(), "--fsync", "never");
        assertThat(s.log()).contains("protected mode off", "fsync never");
        assertThat(client(s, "set", "k", "v").exit()).isZero();
        s.stop();

        Path fresh = Files.createDirectory(dir.resolve("fresh"));
        Files.write(conf, List.of("fsync always", "", "max-clients 0"));
        Result bad = run("kvs-server", "--config", conf.toString(), "--data-dir", fresh.toString());
        assertUsageError(bad);
        assertThat(bad.err().lines().findFirst().orElseThrow()).isEqualTo(conf + ":3: --max-clients must be at least 1, not 0");
        Files.write(conf, List.of("fsync sometimes"));
        assertThat(run("kvs-server", "--config", conf.toString(), "--data-dir", fresh.toString()).err().lines().findFirst()
                .orElseThrow()).startsWith(conf + ":1: --fsync");
        Files.write(conf, List.of("fsnyc always"));
        Result unknown = run("kvs-server", "--config", conf.toString(), "--data-dir", fresh.toString());
        assertUsageError(unknown);
        assertThat(unknown.err().lines().findFirst().orElseThrow()).isEqualTo(conf + ":1: unknown setting 'fsnyc'");
        assertThat(Files.exists(fresh.resolve("engine"))).as("no marker after failed starts").isFalse();
    }

    @Test
    void serverStartErrors_areOneClearLine() throws Exception {
        assertUsageError(run("kvs-server", "--engine", "redis", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--addr", "127.0.0.1", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--addr", "127.0.0.1:99999", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--pool", "huge", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--compaction-threshold", "0", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--compaction-threshold", "1m", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--max-file-size", "2147483648", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--timeout", "0", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--timeout", "soon", "--data-dir", dir.toString()));
        assertUsageError(run("kvs-server", "--max-frame", "-1", "--data-dir", dir.toString()));
        assertThat(Files.exists(dir.resolve("engine"))).as("no marker after failed starts").isFalse();

        Server s = new Server();
        Path other = Files.createDirectory(dir.resolve("other"));
        Result inUse = run("kvs-server", "--addr", s.addr(), "--data-dir", other.toString());
        assertThat(inUse.exit()).isEqualTo(1);
        assertThat(inUse.err()).contains("cannot listen on " + s.addr());
        assertThat(Files.exists(other.resolve("engine"))).isFalse();

        Result locked = run("kvs-server", "--addr", "127.0.0.1:0", "--data-dir", dir.toString());
        assertThat(locked.exit()).isEqualTo(1);
        assertThat(locked.err()).contains("locked");
        s.stop();
    }
}
