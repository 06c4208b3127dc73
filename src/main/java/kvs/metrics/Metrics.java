package kvs.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.ToDoubleFunction;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import kvs.BuildInfo;
import kvs.security.Access;
import kvs.session.RequestObserver;
import kvs.session.ServerStats;
import kvs.store.ShardStatus;
import kvs.store.StoreFigures;

/**
 * {@code /metrics} in the Prometheus text format (README.md, "Running it safely"), with the official Prometheus Java
 * client: the server's figures (the same as stats and INFO), each request's time as a histogram
 * per kind, and the client's JVM metrics. Served only when {@code --metrics-addr} is given, and
 * guarded like the server: without a password, in protected mode, to loopback clients only; with
 * one, to HTTP Basic authentication with it (any user name).
 */
public final class Metrics implements RequestObserver, AutoCloseable {

    /** Upper bounds of the time buckets, in seconds: from 50 µs (a cached get) to 5 s (a stalled fsync). */
    private static final double[] BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram times;
    private HTTPServer http;

    public Metrics() {
        JvmMetrics.builder().register(registry);
        times = Histogram.builder().name("kvs_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time from a request's batch being taken to its reply, by kind (the kvs protocol's op or RESP's command)")
                .labelNames("kind").classicOnly().classicUpperBounds(BUCKETS).register(registry);
    }

    @Override
    public void observe(String kind, long nanos) {
        times.labelValues(kind).observe(Unit.nanosToSeconds(nanos));
    }

    /**
     * Registers the server's figures and starts serving {@code /metrics} on {@code address}
     * (port 0: a free one, see {@link #port()}).
     *
     * @throws IOException if the address cannot be bound
     */
    public void serve(InetSocketAddress address, ServerStats stats, Access access) throws IOException {
        register(stats);
        http = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                .authenticator(new Guard(access)).buildAndStart();
    }

    /** The port /metrics is served on. */
    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }

    private void register(ServerStats stats) {
        Info.builder().name("kvs_build_info").help("kvs's version").labelNames("version").register(registry)
                .addLabelValues(BuildInfo.VERSION);
        gauge("kvs_connections", "Client connections open now", s -> s.connectedClients(), stats);
        counter("kvs_connections_accepted", "Client connections accepted", s -> s.totalConnections(), stats);
        counter("kvs_connections_rejected", "Client connections turned away (the client limit, protected mode)",
                s -> s.rejectedConnections(), stats);
        counter("kvs_auth_failures", "Wrong passwords", s -> s.authFailures(), stats);
        CounterWithCallback.builder().name("kvs_requests").help("Requests answered, by kind").labelNames("kind")
                .callback(cb -> stats.requestsByKind().forEach((kind, n) -> cb.call(n, kind))).register(registry);
        CounterWithCallback.builder().name("kvs_errors").help("Error replies, by kind (the kvs protocol's code, RESP's prefix)")
                .labelNames("kind").callback(cb -> stats.errorsByKind().forEach((kind, n) -> cb.call(n, kind)))
                .register(registry);
        engineGauge("kvs_keys", "Keys stored (those expired and not yet removed too)", StoreFigures::keys, stats);
        engineGauge("kvs_keys_with_deadline", "Keys stored that have a deadline", StoreFigures::keysWithDeadline, stats);
        engineCounter("kvs_expired_keys", "Keys removed as expired since the engine opened", StoreFigures::expiredKeys, stats);
        engineGauge("kvs_live_bytes", "Bytes of the records that hold current values", StoreFigures::liveBytes, stats);
        engineGauge("kvs_total_bytes", "Bytes of every data file", StoreFigures::totalBytes, stats);
        engineGauge("kvs_last_compaction_seconds", "How long the last compaction took", e -> e.lastCompactionMillis() / 1e3, stats);
        engineCounter("kvs_compactions", "Compactions since the engine opened", StoreFigures::compactions, stats);
        engineCounter("kvs_fsyncs", "fsyncs of the data files since the engine opened", StoreFigures::fsyncs, stats);
        engineCounter("kvs_writes", "Writes committed since the engine opened", StoreFigures::writes, stats);
        shardGauge("kvs_shard_slots", "Slots each shard of a sharded cluster owns, by this process's slot map",
                s -> slotCount(s.slots()), stats);
        shardGauge("kvs_shard_leader", "1 where this process leads the shard, else 0 (shards it is a member of)",
                s -> s.member() == null ? Double.NaN : "leader".equals(s.member().role()) ? 1 : 0, stats);
        shardGauge("kvs_shard_term", "The shard's Raft term as this process's member sees it",
                s -> s.member() == null ? Double.NaN : s.member().term(), stats);
        shardGauge("kvs_shard_applied_index", "The index of the last entry of the shard's log this process applied",
                s -> s.member() == null ? Double.NaN : s.member().appliedIndex(), stats);
        shardGauge("kvs_shard_keys", "Keys the shard's engine here stores",
                s -> s.figures() == null ? Double.NaN : s.figures().keys(), stats);
        shardGauge("kvs_shard_live_bytes", "Bytes of the records that hold current values in the shard's engine here",
                s -> s.figures() == null ? Double.NaN : s.figures().liveBytes(), stats);
        shardGauge("kvs_shard_total_bytes", "Bytes of every data file of the shard's engine here",
                s -> s.figures() == null ? Double.NaN : s.figures().totalBytes(), stats);
        CounterWithCallback.builder().name("kvs_shard_writes").help("Writes the shard's engine here committed since it opened")
                .labelNames("shard").callback(cb -> eachShard(stats, s -> {
                    if (s.figures() != null) {
                        cb.call(s.figures().writes(), Integer.toString(s.shard()));
                    }
                })).register(registry);
    }

    /**
     * A gauge of each shard of a sharded cluster (label {@code shard}), none on any other server; a
     * shard whose {@code value} is NaN (this process is not its member) is left out.
     */
    private void shardGauge(String name, String help, ToDoubleFunction<ShardStatus> value, ServerStats stats) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("shard").callback(cb -> eachShard(stats, s -> {
            double v = value.applyAsDouble(s);
            if (!Double.isNaN(v)) {
                cb.call(v, Integer.toString(s.shard()));
            }
        })).register(registry);
    }

    private static void eachShard(ServerStats stats, java.util.function.Consumer<ShardStatus> each) {
        StoreFigures e = stats.engine();
        if (e != null) {
            e.shards().forEach(each);
        }
    }

    /** How many slots runs such as {@code 0-5460,6000} hold. */
    private static double slotCount(String runs) {
        int n = 0;
        for (String run : runs.split(",")) {
            if (run.isEmpty()) {
                continue;
            }
            int dash = run.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(run.substring(dash + 1)) - Integer.parseInt(run.substring(0, dash)) + 1;
        }
        return n;
    }

    private void gauge(String name, String help, ToDoubleFunction<ServerStats> value, ServerStats stats) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(stats))).register(registry);
    }

    private void counter(String name, String help, ToDoubleFunction<ServerStats> value, ServerStats stats) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(stats))).register(registry);
    }

    private void engineGauge(String name, String help, ToDoubleFunction<StoreFigures> value, ServerStats stats) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            StoreFigures e = stats.engine();
            if (e != null) {
                cb.call(value.applyAsDouble(e));
            }
        }).register(registry);
    }

    private void engineCounter(String name, String help, ToDoubleFunction<StoreFigures> value, ServerStats stats) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            StoreFigures e = stats.engine();
            if (e != null) {
                cb.call(value.applyAsDouble(e));
            }
        }).register(registry);
    }

    /** The server's access rules over HTTP: loopback only in protected mode without a password; Basic authentication with one. */
    private static final class Guard extends Authenticator {
        private final Access access;

        Guard(Access access) {
            this.access = access;
        }

        @Override
        public Result authenticate(HttpExchange exchange) {
            if (!access.admits(exchange.getRemoteAddress().getAddress())) {
                return new Failure(403);
            }
            if (!access.passwordSet()) {
                return new Success(new HttpPrincipal("default", "kvs"));
            }
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String credentials;
                try {
                    credentials = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    credentials = "";
                }
                int colon = credentials.indexOf(':');
                byte[] password = credentials.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
                if (access.guard(exchange.getRemoteAddress()).authenticate(password)) {
                    return new Success(new HttpPrincipal(colon < 0 ? "" : credentials.substring(0, colon), "kvs"));
                }
            }
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"kvs\"");
            return new Retry(401);
        }
    }
}
