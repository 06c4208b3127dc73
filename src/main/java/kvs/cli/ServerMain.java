package kvs.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import kvs.KvsException;
import kvs.client.HostPort;
import kvs.cluster.ClusterConfig;
import kvs.cluster.ClusterNode;
import kvs.cluster.ShardEngines;
import kvs.cluster.ShardedNode;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.metrics.Metrics;
import kvs.pool.ThreadPool;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.server.KvsProtocol;
import kvs.resp.RespProtocol;
import kvs.security.Access;
import kvs.security.Password;
import kvs.security.Tls;
import kvs.server.KvsServer;
import kvs.store.Store;
import kvs.store.Watches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvs-server}: serves a data directory until SIGINT or SIGTERM (README.md, "kvs-server options"). */
@Command(name = "kvs-server", versionProvider = Version.class, mixinStandardHelpOptions = true,
        description = "Serves a kvs data directory over TCP.")
public final class ServerMain implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger("kvs-server");

    @Option(names = "--addr", paramLabel = "IP:PORT", converter = Addresses.class,
            defaultValue = Addresses.DEFAULT, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    InetSocketAddress addr;

    @Option(names = "--resp-addr", paramLabel = "IP:PORT", converter = Addresses.class,
            description = "Also serve the Redis protocol (RESP2/RESP3) on this address (default: off).")
    InetSocketAddress respAddr;

    @Option(names = "--engine", paramLabel = "kvs|mvstore",
            description = "Storage engine (default: the one already in the data directory, else kvs).")
    String engine;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".",
            description = "Data directory (default: the current directory).")
    Path dataDir;

    @Option(names = "--pool", paramLabel = "naive|shared-queue|virtual", defaultValue = "virtual",
            description = "Thread pool serving connections (default: ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--threads", paramLabel = "N", description = "Threads of the shared-queue pool (default: the number of"
            + " cores), or carrier threads of the virtual pool (default: the number of cores).")
    Integer threads;

    @Option(names = "--fsync", paramLabel = "always|everysec|never", defaultValue = "everysec",
            description = "When writes are fsynced (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--compaction-threshold", paramLabel = "BYTES",
            description = "kvs engine: the least stale bytes that start a compaction, which starts when the stale bytes reach max(BYTES, live bytes), or max(BYTES, half the live bytes) after 5 s without writes (default: 1 MiB).")
    Long compactionThreshold;

    @Option(names = "--max-file-size", paramLabel = "BYTES",
            description = "kvs engine: size at which a log file is sealed and the next begun (default: 64 MiB, at most 1 GiB).")
    Long maxFileSize;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "A frame that has begun must arrive, and a reply make progress, within this (default: 30).")
    Double timeoutSeconds;

    @Option(names = "--max-frame", paramLabel = "BYTES",
            description = "Largest request or reply frame; a larger one is refused (default: 16 MiB).")
    Integer maxFrame;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Require clients to authenticate with the password on the first line of FILE (default: the KVS_PASSWORD environment variable, if set; else none).")
    Path passwordFile;

    @Option(names = "--protected-mode", paramLabel = "yes|no", defaultValue = "yes",
            description = "Without a password, serve loopback clients only (default: ${DEFAULT-VALUE}).")
    String protectedMode;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "10000",
            description = "Clients connected at once; one more is told so and closed (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--metrics-addr", paramLabel = "IP:PORT", converter = Addresses.class,
            description = "Serve /metrics for Prometheus on this address, guarded like the server (default: off).")
    InetSocketAddress metricsAddr;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS only (1.3 and 1.2), with this PEM certificate chain (the server's own first); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The certificate's private key: PEM, unencrypted PKCS#8.")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Require client certificates signed by one of these PEM certificates (default: none asked).")
    Path tlsCa;

    @CommandLine.Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "Read settings from FILE, one 'name value' a line, named as these options without their dashes"
                    + " (conf/kvs.conf lists them all); an option given here overrides the file's.")
    Path config;

    /** FILE:LINE of each option whose value came from the {@code --config} file: its usage errors name the line. */
    private Map<String, String> origins = Map.of();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs kvs-server with {@code args} and the settings of the {@code --config} file they name; the exit code. */
    static int run(String[] args) {
        ConfigFile.Applied applied;
        try {
            applied = ConfigFile.apply(args, ServerMain::new);
        } catch (ConfigFile.Invalid e) {
            return Cli.usageError(new ServerMain(), e.getMessage());
        }
        ServerMain server = new ServerMain();
        server.origins = applied.origins();
        return Cli.run(server, applied.args());
    }

    /** The engine's options; their own checks of the values, named after the option. */
    private EngineOptions engineOptions(Durability durability) {
        EngineOptions options = EngineOptions.defaults().withDurability(durability);
        try {
            options = compactionThreshold == null ? options : options.withCompactionThreshold(compactionThreshold);
        } catch (IllegalArgumentException e) {
            throw usage("--compaction-threshold: " + e.getMessage());
        }
        try {
            return maxFileSize == null ? options : options.withMaxFileSize(maxFileSize);
        } catch (IllegalArgumentException e) {
            throw usage("--max-file-size: " + e.getMessage());
        }
    }

    /** The server's options; their own checks of the values, named after the option. */
    private KvsServer.Options serverOptions() {
        KvsServer.Options options = KvsServer.Options.defaults();
        if (timeoutSeconds != null) {
            if (!(timeoutSeconds >= 0.001 && timeoutSeconds <= 86_400)) { // NaN too; whole nanoseconds in range
                throw usage("--timeout must be between 0.001 and 86400 seconds, not " + timeoutSeconds);
            }
            options = options.withTimeout(Duration.ofNanos(Math.round(timeoutSeconds * 1e9)));
        }
        try {
            options = maxFrame == null ? options : options.withMaxFrame(maxFrame);
        } catch (IllegalArgumentException e) {
            throw usage("--max-frame: " + e.getMessage());
        }
        if (maxClients < 1) {
            throw usage("--max-clients must be at least 1, not " + maxClients);
        }
        return options.withMaxClients(maxClients).withAccess(access()).withTls(tls());
    }

    /** TLS from --tls-cert, --tls-key and --tls-ca; null without them. */
    private Tls tls() {
        if (tlsCert == null && tlsKey == null) {
            if (tlsCa != null) {
                throw usage("--tls-ca needs --tls-cert and --tls-key");
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw usage("--tls-cert and --tls-key go together");
        }
        try {
            return Tls.server(tlsCert, tlsKey, tlsCa);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read a TLS file: " + e, e);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** Who may connect: the password (from --password-file, else KVS_PASSWORD) and protected mode. */
    private Access access() {
        if (!protectedMode.equals("yes") && !protectedMode.equals("no")) {
            throw usage("--protected-mode takes yes or no, not '" + protectedMode + "'");
        }
        Password password;
        try {
            password = Password.fromFileOrEnvironment(passwordFile, System.getenv());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the password file " + passwordFile + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return Access.defaults().withPassword(password).withProtectedMode(protectedMode.equals("yes"));
    }

    @Override
    public Integer call() throws Exception {
        if (engine != null && !engine.equals(EngineChoice.KVS) && !engine.equals(EngineChoice.MVSTORE)) {
            throw usage("--engine: unknown engine '" + engine + "': expected kvs or mvstore");
        }
        Durability durability;
        try {
            durability = Durability.parse(fsync);
        } catch (IllegalArgumentException e) {
            throw usage("--fsync: " + e.getMessage());
        }
        EngineOptions options = engineOptions(durability);
        Metrics metrics = metricsAddr == null ? null : new Metrics();
        KvsServer.Options serverOptions = serverOptions().withObserver(metrics);
        boolean virtual = pool.equals("virtual");
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw usage("--threads must be at least 1, not " + n);
        }
        if (virtual) {
            try {
                n = VirtualThreadPool.useCarriers(n);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        String poolShown = pool + (virtual ? " on " + n + " carrier thread" + (n == 1 ? "" : "s") : "");
        ThreadPool threadPool;
        try {
            threadPool = ThreadPool.named(pool, n);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        ClusterConfig clusterConfig = null;
        Path engineDir = dir;
        if (cluster.enabled()) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--fsync")) {
                throw usage("--fsync does not apply in cluster mode: the Raft log is synced before each write is acknowledged");
            }
            try {
                clusterConfig = cluster.config(dir.resolve("raft"), addr, spec.commandLine().getParseResult().hasMatchedOption("--addr"));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            addr = clusterConfig.selfMember().kvs();
            engineDir = dir.resolve("engine");
            InetSocketAddress peerResp = clusterConfig.selfMember().resp();
            if (peerResp != null) { // where the member serves RESP (a sharded cluster's redirections name it)
                if (respAddr != null && !respAddr.equals(peerResp)) {
                    throw usage("--resp-addr " + HostPort.show(respAddr) + " is not the RESP address --peer gives "
                            + clusterConfig.self());
                }
                respAddr = peerResp;
            }
            // The Raft log is the write-ahead log, and it alone removes keys (expired ones too) from a member.
            options = options.withDurability(Durability.NEVER).withCompactionExpires(false);
        }
        String chosen;
        Store store;
        ShardedNode sharded = null;
        try {
            if (clusterConfig != null && cluster.shards > 1) {
                chosen = EngineChoice.resolve(Files.createDirectories(dir.resolve("shards").resolve("0")), engine);
                ShardEngines engines = shardEngines(dir.resolve("shards"), chosen, options);
                sharded = cluster.join ? ShardedNode.join(clusterConfig, cluster.shards, engines)
                        : ShardedNode.start(clusterConfig, cluster.shards, engines);
                store = sharded;
            } else {
                Files.createDirectories(engineDir);
                chosen = EngineChoice.resolve(engineDir, engine);
                Store local = open(engineDir, chosen, options);
                store = clusterConfig == null ? local : ClusterNode.start(clusterConfig, local); // which then owns local
            }
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        List<KvsServer.Listener> listeners = new ArrayList<>();
        listeners.add(new KvsServer.Listener(addr, KvsProtocol.INSTANCE));
        if (respAddr != null) {
            listeners.add(new KvsServer.Listener(respAddr, RespProtocol.of(respSettings(dir, durability, serverOptions, sharded))));
        }
        KvsServer server;
        try {
            server = KvsServer.start(store, threadPool, listeners, serverOptions);
        } catch (BindException e) {
            store.close();
            threadPool.close();
            String where = HostPort.show(addr) + (respAddr == null ? "" : " and " + HostPort.show(respAddr));
            throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e);
        }
        if (metrics != null) {
            try {
                metrics.serve(metricsAddr, server.stats(), serverOptions.access());
            } catch (IOException e) {
                server.close();
                store.close();
                throw new IllegalStateException("cannot serve metrics on " + HostPort.show(metricsAddr) + ": " + e.getMessage(), e);
            }
        }
        if (sharded == null) {
            EngineChoice.record(engineDir, chosen);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            int status = 0;
            try {
                if (metrics != null) {
                    metrics.close();
                }
                server.close();
                store.close();
                log.info("stopped");
            } catch (Exception e) {
                log.error("stopping failed", e);
                status = 1;
            }
            stopped.countDown();
            // SIGINT/SIGTERM is a normal stop: exit 0, as Redis does, not the JVM's 128+signal
            Runtime.getRuntime().halt(status);
        }, "kvs-shutdown"));
        log.info("kvs-server {} started: engine {}, pool {}, fsync {}, data {}, listening on {}{}; {}", Version.VERSION,
                chosen, poolShown, clusterConfig == null ? durability.cliName() : "by the Raft log, as member " + clusterConfig.self()
                        + " of " + clusterConfig.members().size() + " (cluster " + clusterConfig.clusterId()
                        + (sharded == null ? "" : ", " + sharded.shardCount() + " shards") + ", Raft on "
                        + HostPort.show(clusterConfig.selfMember().raft()) + ")",
                dir, HostPort.show(server.address()),
                respAddr == null ? "" : ", RESP on " + HostPort.show(server.addresses().get(1)),
                serverOptions.access().describe() + (serverOptions.tls() == null ? "" : "; TLS only"
                        + (tlsCa == null ? "" : ", client certificates required"))
                        + (metrics == null ? "" : "; metrics on " + HostPort.show(new InetSocketAddress(metricsAddr.getAddress(), metrics.port()))));
        stopped.await();
        return 0;
    }

    private static Store open(Path engineDir, String chosen, EngineOptions options) throws IOException, KvsException {
        return chosen.equals(EngineChoice.KVS) ? KvStore.open(engineDir, options) : MvStoreEngine.open(engineDir, options);
    }

    /**
     * Opens each shard's engine in {@code DIR/N} as the process comes to host the shard, of the engine
     * {@code chosen} (refusing another engine's data, and recording the choice); one table of
     * watched keys for them all.
     */
    private static ShardEngines shardEngines(Path dir, String chosen, EngineOptions options) {
        EngineOptions shared = options.withWatches(new Watches());
        return new ShardEngines() {
            @Override
            public Store open(int shard) throws IOException, KvsException {
                Path d = Files.createDirectories(dir.resolve(Integer.toString(shard)));
                EngineChoice.resolve(d, chosen); // refuses another engine's data
                Store opened = ServerMain.open(d, chosen, shared);
                EngineChoice.record(d, chosen);
                return opened;
            }

            @Override
            public Watches watches() {
                return shared.watches();
            }
        };
    }

    /** What the RESP listener reports: CONFIG GET's table holds the settings Redis tools ask about. */
    private RespProtocol.Settings respSettings(Path dir, Durability durability, KvsServer.Options serverOptions,
                                               ShardedNode sharded) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("save", "");
        config.put("appendonly", "yes");
        config.put("appendfsync", durability.cliName());
        config.put("databases", "1");
        config.put("maxclients", Integer.toString(serverOptions.maxClients()));
        config.put("protected-mode", protectedMode);
        config.put("maxmemory", "0");
        config.put("maxmemory-policy", "noeviction");
        config.put("timeout", "0");
        config.put("bind", respAddr.getAddress().getHostAddress());
        config.put("port", Integer.toString(respAddr.getPort()));
        config.put("dir", dir.toString());
        config.put("proto-max-bulk-len", Integer.toString(serverOptions.maxFrame()));
        config.put("cluster-enabled", sharded == null ? "no" : "yes");
        config.put("daemonize", "no");
        return new RespProtocol.Settings(Version.VERSION, config, sharded);
    }

    /** A usage error; one about an option the {@code --config} file set names its line first. */
    private CommandLine.ParameterException usage(String message) {
        String where = null;
        for (Map.Entry<String, String> o : origins.entrySet()) {
            int at = message.indexOf(o.getKey());
            int end = at + o.getKey().length();
            if (at >= 0 && (end == message.length() || !Character.isLetterOrDigit(message.charAt(end)) && message.charAt(end) != '-')) {
                where = o.getValue();
                break;
            }
        }
        return new CommandLine.ParameterException(spec.commandLine(), where == null ? message : where + ": " + message);
    }
}
