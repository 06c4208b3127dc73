package kvs.resp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import kvs.command.Ops;
import kvs.expiry.ExpiryFigures;
import kvs.session.ServerStats;
import kvs.store.Store;
import kvs.store.StoreFigures;

/** The server commands: COMMAND, CONFIG, INFO, TIME. */
final class ServerCommands {

    /** INFO's sections, in the order Redis prints them; all of them for "all" and "everything"... */
    private static final List<String> SECTIONS = List.of("server", "clients", "persistence", "stats", "commandstats",
            "errorstats", "cluster", "keyspace");
    /** ...and these for INFO alone and "default". */
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "persistence", "stats",
            "errorstats", "cluster", "keyspace");

    private ServerCommands() {
    }

    /** COMMAND with no subcommand: the table's details are not served (an empty list). */
    private static final RespError INVALID_COMMAND = new RespError("ERR Invalid command specified");
    private static final RespError NO_KEY_ARGUMENTS = new RespError("ERR The command has no key arguments");
    private static final RespError INVALID_ARGUMENT_COUNT = new RespError("ERR Invalid number of arguments specified for command");

    /**
     * COMMAND: every command of the table as Redis 7 describes one: name, arity, flags, first key,
     * last key, step, ACL categories, tips, key specs, subcommands; flags, categories, tips and key
     * specs empty (what cluster clients read is the key positions).
     */
    static Reply command(Args args, Ops ops, RespSession client) {
        List<Command> all = Commands.all();
        return out -> {
            out.array(all.size());
            for (Command c : all) {
                describe(out, c);
            }
        };
    }

    private static void describe(RespWriter out, Command c) {
        Command.Keys keys = c.keys();
        out.array(10).bulk(c.name()).integer(c.arity()).set(0)
                .integer(keys == null ? 0 : keys.first()).integer(keys == null ? 0 : keys.last())
                .integer(keys == null ? 0 : keys.step()).set(0).array(0).array(0);
        List<Command> subs = c.subcommands().values().stream().sorted(java.util.Comparator.comparing(Command::name)).toList();
        out.array(subs.size());
        for (Command sub : subs) {
            describe(out, sub);
        }
    }

    /** COMMAND GETKEYS command arg...: the keys among the arguments, by the command's key positions. */
    static Reply commandGetkeys(Args args, Ops ops, RespSession client) {
        Command c = Commands.named(args.lower(2));
        if (c != null && !c.subcommands().isEmpty() && args.size() > 3) {
            c = c.subcommands().get(args.lower(3));
        }
        if (c == null) {
            throw INVALID_COMMAND;
        }
        if (c.keys() == null) {
            throw NO_KEY_ARGUMENTS;
        }
        if (!c.arityFits(args.size() - 2)) {
            throw INVALID_ARGUMENT_COUNT;
        }
        List<byte[]> keys = new java.util.ArrayList<>();
        for (int i : c.keyPositions(args.size() - 2)) {
            keys.add(args.bytes(i + 2)); // now: the arguments are the connection's, reused once planned
        }
        return out -> {
            out.array(keys.size());
            for (byte[] k : keys) {
                out.bulk(k);
            }
        };
    }

    static Reply commandCount(Args args, Ops ops, RespSession client) {
        return out -> out.integer(Commands.count());
    }

    static Reply commandDocs(Args args, Ops ops, RespSession client) {
        return out -> out.map(0);
    }

    /** COMMAND INFO [name...]: each command named as COMMAND describes it, or a null for one the table lacks. */
    static Reply commandInfo(Args args, Ops ops, RespSession client) {
        List<Command> named = new java.util.ArrayList<>();
        for (int j = 2; j < args.size(); j++) {
            named.add(Commands.named(args.lower(j)));
        }
        return out -> {
            out.array(named.size());
            for (Command c : named) {
                if (c == null) {
                    out.nullArray();
                } else {
                    describe(out, c);
                }
            }
        };
    }

    /** CONFIG GET parameter [parameter...]: the fixed table's entries that match, each once. */
    static Reply configGet(Args args, Ops ops, RespSession client) {
        Map<String, String> config = client.settings().config();
        Set<String> names = new LinkedHashSet<>();
        for (int j = 2; j < args.size(); j++) {
            byte[] pattern = args.bytes(j);
            for (String name : config.keySet()) {
                if (Glob.matches(pattern, name.getBytes(StandardCharsets.UTF_8), true)) {
                    names.add(name);
                }
            }
        }
        return out -> {
            out.map(names.size());
            for (String name : names) {
                out.bulk(name).bulk(name.equals("port") ? Integer.toString(client.port()) : config.get(name));
            }
        };
    }

    static Reply configSet(Args args, Ops ops, RespSession client) {
        throw RespError.quoting("ERR Unknown option or number of arguments for CONFIG SET - '" + args.raw(2) + "'");
    }

    static Reply configResetstat(Args args, Ops ops, RespSession client) {
        return Reply.ok();
    }

    /**
     * INFO [section...]: server, clients, persistence, stats, commandstats, errorstats, cluster, keyspace
     * ("all" and "everything" give them all; no section or "default", all but commandstats).
     */
    static Reply info(Args args, Ops ops, RespSession client) {
        Set<String> wanted = new LinkedHashSet<>();
        for (int j = 1; j < args.size(); j++) {
            String s = args.lower(j);
            if (s.equals("all") || s.equals("everything")) {
                wanted.addAll(SECTIONS);
            } else if (s.equals("default")) {
                wanted.addAll(DEFAULT_SECTIONS);
            } else {
                wanted.add(s);
            }
        }
        if (wanted.isEmpty()) {
            wanted.addAll(DEFAULT_SECTIONS);
        }
        Store store = client.store();
        Ops.Call<StoreFigures> figures = ops.call(keys -> store.figures()); // in its place: sees the writes before it
        return out -> out.verbatim(text(client, wanted, figures.result()));
    }

    /** INFO's text of the sections {@code wanted}, with the store's {@code figures} read in the command's place. */
    private static String text(RespSession client, Set<String> wanted, StoreFigures figures) {
        StringBuilder b = new StringBuilder();
        ServerStats stats = client.stats();
        ExpiryFigures expiry = stats.expiry();
        long uptime = (System.currentTimeMillis() - stats.startMillis()) / 1000;
        for (String section : SECTIONS) {
            if (!wanted.contains(section)) {
                continue;
            }
            if (!b.isEmpty()) {
                b.append("\r\n");
            }
            switch (section) {
                case "server" -> b.append("# Server\r\n")
                        .append("redis_version:").append(RespSession.REDIS_VERSION).append("\r\n")
                        .append("kvs_version:").append(client.settings().version()).append("\r\n")
                        .append("redis_mode:").append(client.settings().topology() == null ? "standalone" : "cluster").append("\r\n")
                        .append("os:").append(System.getProperty("os.name")).append(' ')
                        .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch")).append("\r\n")
                        .append("arch_bits:64\r\n")
                        .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                        .append("tcp_port:").append(client.port()).append("\r\n")
                        .append("uptime_in_seconds:").append(uptime).append("\r\n")
                        .append("uptime_in_days:").append(uptime / 86400).append("\r\n");
                case "clients" -> b.append("# Clients\r\n")
                        .append("connected_clients:").append(stats.connectedClients()).append("\r\n")
                        .append("maxclients:").append(client.settings().config().getOrDefault("maxclients", "0")).append("\r\n");
                case "persistence" -> persistence(b, figures);
                case "stats" -> b.append("# Stats\r\n")
                        .append("total_connections_received:").append(stats.totalConnections()).append("\r\n")
                        .append("total_commands_processed:").append(stats.totalCommands()).append("\r\n")
                        .append("rejected_connections:").append(stats.rejectedConnections()).append("\r\n")
                        .append("expired_keys:").append(figures.expiredKeys()).append("\r\n")
                        .append("expired_stale_perc:").append(String.format(Locale.ROOT, "%.2f", expiry.stalePercent())).append("\r\n")
                        .append("expired_time_cap_reached_count:").append(expiry.timeCapReached()).append("\r\n")
                        .append("expire_cycle_cpu_milliseconds:").append(expiry.cycleMillis()).append("\r\n")
                        .append("total_error_replies:").append(stats.errorsByKind().values().stream().mapToLong(Long::longValue).sum()).append("\r\n")
                        .append("acl_access_denied_auth:").append(stats.authFailures()).append("\r\n");
                case "commandstats" -> {
                    b.append("# Commandstats\r\n");
                    stats.requestsByKind().forEach((command, calls) -> b.append("cmdstat_").append(command)
                            .append(":calls=").append(calls).append(",usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"));
                }
                case "errorstats" -> {
                    b.append("# Errorstats\r\n");
                    stats.errorsByKind().forEach((prefix, count) -> b.append("errorstat_").append(prefix)
                            .append(":count=").append(count).append("\r\n"));
                }
                case "cluster" -> b.append("# Cluster\r\n").append("cluster_enabled:")
                        .append(client.settings().topology() == null ? 0 : 1).append("\r\n");
                case "keyspace" -> keyspace(b, figures, expiry.avgTtlMillis());
                default -> throw new AssertionError(section);
            }
        }
        return b.toString();
    }

    /**
     * The keyspace section: Redis's line for db0 when it holds keys, with {@code avgTtl} the mean
     * milliseconds left of keys with a deadline, as the expiry cycle measures it (0: not measured).
     */
    private static void keyspace(StringBuilder b, StoreFigures figures, long avgTtl) {
        b.append("# Keyspace\r\n");
        if (figures.keys() > 0 || figures.keysWithDeadline() > 0) {
            b.append("db0:keys=").append(figures.keys()).append(",expires=").append(figures.keysWithDeadline())
                    .append(",avg_ttl=").append(avgTtl).append("\r\n");
        }
    }

    /** Redis's AOF fields where the log plays that part, then kvs's own figures. */
    private static void persistence(StringBuilder b, StoreFigures e) {
        b.append("# Persistence\r\n")
                .append("loading:0\r\n")
                .append("async_loading:0\r\n")
                .append("rdb_changes_since_last_save:0\r\n")
                .append("rdb_bgsave_in_progress:0\r\n")
                .append("aof_enabled:1\r\n")
                .append("aof_rewrite_in_progress:0\r\n")
                .append("aof_last_write_status:ok\r\n")
                .append("aof_rewrites:").append(e.compactions()).append("\r\n")
                .append("aof_last_rewrite_time_sec:").append(e.compactions() == 0 ? -1 : e.lastCompactionMillis() / 1000).append("\r\n")
                .append("aof_current_size:").append(e.totalBytes()).append("\r\n")
                .append("kvs_engine:").append(e.engine()).append("\r\n")
                .append("kvs_durability:").append(e.durability()).append("\r\n")
                .append("kvs_live_bytes:").append(e.liveBytes()).append("\r\n")
                .append("kvs_last_compaction_ms:").append(e.lastCompactionMillis()).append("\r\n")
                .append("kvs_fsyncs:").append(e.fsyncs()).append("\r\n")
                .append("kvs_writes:").append(e.writes()).append("\r\n")
                .append("kvs_writes_per_fsync:").append(e.fsyncs() == 0 ? 0 : e.writes() / e.fsyncs()).append("\r\n");
    }

    static Reply time(Args args, Ops ops, RespSession client) {
        return out -> {
            java.time.Instant now = java.time.Instant.now();
            out.array(2);
            out.bulk(Long.toString(now.getEpochSecond()));
            out.bulk(Long.toString(now.getNano() / 1000));
        };
    }
}
