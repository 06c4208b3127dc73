package kvs.session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import kvs.BuildInfo;
import kvs.expiry.ExpiryFigures;
import kvs.security.Access;
import kvs.store.MemberStatus;
import kvs.store.ShardStatus;
import kvs.store.Store;
import kvs.store.StoreFigures;

/**
 * A server's figures (docs/PROTOCOL.md, "Stats"): its own counters, and the engine's and the access policy's
 * read when asked. One set behind the kvs protocol's stats, RESP's INFO and the metrics. Not API.
 */
public final class ServerStats {

    private final long startMillis = System.currentTimeMillis();
    private final Store engine;
    private final Access access;
    /** Told each request's time; null when nothing wants it (the clock is not read then). */
    private final RequestObserver observer;
    private final Supplier<ExpiryFigures> expiry;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder commands = new LongAdder();
    /** Requests by kind (the kvs protocol's op, RESP's command), and error replies by kind (code, or RESP's prefix). */
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    /** {@code expiry}: the active expiry cycle's figures ({@link ExpiryFigures#NONE} when none runs). */
    public ServerStats(Store engine, Access access, RequestObserver observer, Supplier<ExpiryFigures> expiry) {
        this.engine = engine;
        this.access = access;
        this.observer = observer;
        this.expiry = expiry;
    }

    /** When the server started (milliseconds since the epoch). */
    public long startMillis() {
        return startMillis;
    }

    /** Connections open now. */
    public int connectedClients() {
        return connected.get();
    }

    /** Connections accepted since the start. */
    public long totalConnections() {
        return connections.get();
    }

    /** Connections refused since the start (the client limit, protected mode). */
    public long rejectedConnections() {
        return rejected.sum();
    }

    /** Requests answered since the start. */
    public long totalCommands() {
        return commands.sum();
    }

    /** Failed password attempts since the start. */
    public long authFailures() {
        return access.failures();
    }

    /** The store's figures now. */
    public StoreFigures engine() {
        return engine.figures();
    }

    /** The active expiry cycle's figures now. */
    public ExpiryFigures expiry() {
        return expiry.get();
    }

    /** Requests by kind, sorted by kind. */
    public Map<String, Long> requestsByKind() {
        return sums(requests);
    }

    /** Error replies by kind, sorted by kind. */
    public Map<String, Long> errorsByKind() {
        return sums(errors);
    }

    /** Counts {@code n} requests answered. */
    public void commandsAnswered(int n) {
        commands.add(n);
    }

    /** The clock requests are timed by, or 0 when they are not timed. */
    public long now() {
        return observer == null ? 0 : System.nanoTime();
    }

    /**
     * Counts {@code n} requests of {@code kind} (an op or a command name, lower case) answered,
     * their batch taken at {@code takenAt} (from {@link #now}); sessions count through a {@link RequestTally}.
     */
    void answered(String kind, int n, long takenAt) {
        requests.computeIfAbsent(kind, k -> new LongAdder()).add(n);
        if (observer != null) {
            long nanos = System.nanoTime() - takenAt;
            for (int i = 0; i < n; i++) {
                observer.observe(kind, nanos);
            }
        }
    }

    /** Counts an error reply of {@code kind}. */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /**
     * Every figure by name, in a fixed order: text or whole numbers. The names are those of
     * {@code kvs-client stats} and the kvs protocol's stats reply.
     */
    public Map<String, Object> snapshot() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", BuildInfo.VERSION);
        s.put("uptime_seconds", (System.currentTimeMillis() - startMillis) / 1000);
        StoreFigures e = engine();
        {
            s.put("engine", e.engine());
            s.put("durability", e.durability());
            s.put("keys", e.keys());
            s.put("keys_with_deadline", e.keysWithDeadline());
            s.put("expired_keys", e.expiredKeys());
            s.put("live_bytes", e.liveBytes());
            s.put("total_bytes", e.totalBytes());
            s.put("compactions", e.compactions());
            s.put("last_compaction_ms", e.lastCompactionMillis());
            s.put("fsyncs", e.fsyncs());
            s.put("writes", e.writes());
            s.put("writes_per_fsync", e.fsyncs() == 0 ? 0 : e.writes() / e.fsyncs());
        }
        ExpiryFigures x = expiry();
        s.put("expiry_avg_ttl_ms", x.avgTtlMillis());
        s.put("expiry_stale_percent", String.format(java.util.Locale.ROOT, "%.2f", x.stalePercent()));
        s.put("expiry_time_cap_reached", x.timeCapReached());
        s.put("expiry_cycle_ms", x.cycleMillis());
        MemberStatus m = e.member();
        if (m != null) {
            s.put("cluster_node", m.id());
            s.put("cluster_role", m.role());
            s.put("cluster_term", m.term());
            s.put("cluster_leader", m.leader() == null ? "" : m.leader());
            s.put("cluster_applied_index", m.appliedIndex());
        }
        if (!e.shards().isEmpty()) {
            s.put("cluster_shards", (long) e.shards().size());
            s.put("cluster_epoch", e.slotMapEpoch());
            s.put("cluster_moving", e.slotMove());
            for (ShardStatus shard : e.shards()) {
                String p = "cluster_shard_" + shard.shard() + "_";
                s.put(p + "slots", shard.slots());
                s.put(p + "members", shard.members());
                if (shard.member() == null) {
                    s.put(p + "role", "none");
                    continue;
                }
                s.put(p + "role", shard.member().role());
                s.put(p + "term", shard.member().term());
                s.put(p + "leader", shard.member().leader() == null ? "" : shard.member().leader());
                s.put(p + "applied_index", shard.member().appliedIndex());
                s.put(p + "keys", shard.figures().keys());
                s.put(p + "live_bytes", shard.figures().liveBytes());
                s.put(p + "total_bytes", shard.figures().totalBytes());
                s.put(p + "writes", shard.figures().writes());
            }
        }
        s.put("connections_current", (long) connectedClients());
        s.put("connections_total", totalConnections());
        s.put("connections_rejected", rejectedConnections());
        s.put("requests_total", totalCommands());
        requestsByKind().forEach((kind, n) -> s.put("requests_" + kind, n));
        errorsByKind().forEach((kind, n) -> s.put("errors_" + kind, n));
        s.put("auth_failures", authFailures());
        return s;
    }

    /**
     * Counts a connection accepted unless {@code max} are open; returns its client id (1, 2, ...
     * in the order of accepting), or -1 if it is one too many.
     */
    public long tryConnect(int max) {
        int n;
        do {
            n = connected.get();
            if (n >= max) {
                rejected.increment();
                return -1;
            }
        } while (!connected.compareAndSet(n, n + 1));
        return connections.incrementAndGet();
    }

    /** Counts a connection refused for another reason (protected mode). */
    public void refused() {
        rejected.increment();
    }

    /** Counts a connection closed. */
    public void disconnected() {
        connected.decrementAndGet();
    }

    private static Map<String, Long> sums(ConcurrentHashMap<String, LongAdder> counters) {
        Map<String, Long> sums = new TreeMap<>();
        counters.forEach((k, v) -> sums.put(k, v.sum()));
        return sums;
    }
}
