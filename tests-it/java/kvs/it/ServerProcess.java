package kvs.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kvs.KvsException;
import kvs.cli.ServerMain;
import kvs.client.KvsClient;

/**
 * A kvs-server child process on port 0, started through bin/kvs-server, stopped by the test that
 * started it (by its own handle). Its stderr goes to a file: a pipe read by another thread can
 * lose the last lines when the process exits.
 */
public final class ServerProcess implements AutoCloseable {

    public static final Path HOME = Path.of(System.getProperty("kvs.home", ".")).toAbsolutePath();
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RESP = Pattern.compile("RESP on 127\\.0\\.0\\.1:(\\d+)");

    public final Process process;
    public final Path logFile;
    private final Transport transport;
    private int port = -1;
    private int respPort = -1;

    private ServerProcess(Process process, Path logFile, Transport transport) {
        this.process = process;
        this.logFile = logFile;
        this.transport = transport;
    }

    /** Starts kvs-server on 127.0.0.1:0 (unless {@code args} name its address) serving {@code dataDir}, with more {@code args}; does not wait. */
    public static ServerProcess launch(Path dataDir, Path logDir, String... args) throws IOException {
        return launchWithJvmFlags("", dataDir, logDir, args);
    }

    /** Like {@link #launch(Path, Path, String...)}, with JVM flags for the server ({@code KVS_JAVA_OPTS}). */
    public static ServerProcess launchWithJvmFlags(String javaOpts, Path dataDir, Path logDir, String... args)
            throws IOException {
        return launch(javaOpts, Transport.PLAIN, dataDir, logDir, args);
    }

    /** Starts kvs-server for clients that come through {@code transport}; does not wait. */
    static ServerProcess launch(String javaOpts, Transport transport, Path dataDir, Path logDir, String... args)
            throws IOException {
        return launch(List.of(HOME.resolve("bin/kvs-server").toString()), javaOpts, transport, dataDir, logDir, args);
    }

    /**
     * Starts {@code main}, a test's wrapper of kvs-server's main, in a JVM like this one and on
     * this test's class path (the server's classes, its dependencies and the tests'), the server's
     * own first so that it logs as kvs-server does; does not wait.
     */
    static ServerProcess launchMain(Class<?> main, Path dataDir, Path logDir, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IOException("this JVM's java is unknown"));
        String server;
        try {
            server = Path.of(ServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IOException("where kvs-server's classes are: " + e.getMessage(), e);
        }
        String classPath = server + File.pathSeparator + System.getProperty("java.class.path");
        return launch(List.of(java, "-cp", classPath, main.getName()), "", Transport.PLAIN, dataDir, logDir, args);
    }

    /**
     * Starts {@code bin/kvs-server} of the installation at {@code home} (an unpacked release, say)
     * with {@code environment} as its whole environment, and waits until it listens.
     */
    public static ServerProcess startInstalled(Path home, Map<String, String> environment, Path dataDir, Path logDir,
                                               String... args) throws IOException {
        return ready(launch(List.of(home.resolve("bin/kvs-server").toString()), env -> {
            env.clear();
            env.putAll(environment);
        }, Transport.PLAIN, dataDir, logDir, args));
    }

    private static ServerProcess launch(List<String> program, String javaOpts, Transport transport, Path dataDir,
                                        Path logDir, String... args) throws IOException {
        return launch(program, env -> {
            if (!javaOpts.isEmpty()) {
                env.put("KVS_JAVA_OPTS", javaOpts);
            }
        }, transport, dataDir, logDir, args);
    }

    private static ServerProcess launch(List<String> program, Consumer<Map<String, String>> environment,
                                        Transport transport, Path dataDir, Path logDir, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(program);
        cmd.addAll(List.of("--data-dir", dataDir.toString()));
        if (!List.of(args).contains("--addr") && !List.of(args).contains("--peer")) {
            cmd.addAll(List.of("--addr", "127.0.0.1:0")); // a cluster member's address is its --peer's
        }
        cmd.addAll(List.of(transport.serverArgs(args)));
        Path log = Files.createTempFile(logDir, "server-", ".log");
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile());
        environment.accept(builder.environment());
        return new ServerProcess(builder.start(), log, transport);
    }

    /** Starts kvs-server with JVM flags and waits until it listens. */
    public static ServerProcess startWithJvmFlags(String javaOpts, Path dataDir, Path logDir, String... args)
            throws IOException {
        return start(javaOpts, Transport.PLAIN, dataDir, logDir, args);
    }

    /** Starts kvs-server with JVM flags, for clients that come through {@code transport}, and waits until it listens. */
    static ServerProcess start(String javaOpts, Transport transport, Path dataDir, Path logDir, String... args)
            throws IOException {
        return ready(launch(javaOpts, transport, dataDir, logDir, args));
    }

    /** {@code s} once it listens; stopped if it never does. */
    private static ServerProcess ready(ServerProcess s) throws IOException {
        try {
            return s.awaitReady();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Sockets the server process holds open now, its listeners and connections (Linux): its log
     * files come and go with compaction, so they are not counted.
     */
    public long openSockets() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.filter(ServerProcess::isSocket).count();
        }
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException e) {
            return false; // closed since it was listed
        }
    }

    /** The server process's resident memory in KiB (Linux). */
    public long residentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** Starts kvs-server and waits until it listens. */
    public static ServerProcess start(Path dataDir, Path logDir, String... args) throws IOException {
        return startWithJvmFlags("", dataDir, logDir, args);
    }

    /** Waits until the server logs its address (60 s at most); fails fast if it exits first. */
    public ServerProcess awaitReady() throws IOException {
        await("kvs-server ready").atMost(Duration.ofSeconds(60))
                .failFast("kvs-server exited before it was ready", () -> !process.isAlive())
                .until(() -> LISTENING.matcher(log()).find());
        Matcher m = LISTENING.matcher(log());
        if (!m.find()) {
            throw new IllegalStateException("no address in the log");
        }
        port = Integer.parseInt(m.group(1));
        Matcher resp = RESP.matcher(log());
        if (resp.find()) {
            respPort = Integer.parseInt(resp.group(1));
        }
        return this;
    }

    public String log() throws IOException {
        return Files.readString(logFile, StandardCharsets.UTF_8);
    }

    public int port() {
        return port;
    }

    /** The RESP listener's port (started with --resp-addr 127.0.0.1:0); -1 without one. */
    public int respPort() {
        return respPort;
    }

    public String addr() {
        return "127.0.0.1:" + port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** How clients reach this server: in the clear, or over TLS with its password. */
    Transport transport() {
        return transport;
    }

    /** A KvsClient connected to the kvs listener through this server's transport. */
    KvsClient client() throws KvsException {
        return transport.client(address());
    }

    /** A socket to {@code wire}'s listener, through this server's transport (handshaken and authenticated when secured). */
    Socket connect(Wire wire, int timeoutMs) throws IOException {
        return transport.connect(wire.address(this), timeoutMs, wire);
    }

    /** Writes {@code line} to the process's standard input (which kvs-server does not read; a test's wrapper may). */
    void tell(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("kvs-server survived SIGKILL for 60 s");
        }
    }

    /** SIGSTOP: the process stops, its sockets open but silent, as if cut off from the network. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a paused process goes on where it stopped. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(60, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Kills the process if it is still running (SIGKILL ends a paused one too). */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
