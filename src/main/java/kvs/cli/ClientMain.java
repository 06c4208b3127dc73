package kvs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.client.Client;
import kvs.client.HostPort;
import kvs.client.KeyTtl;
import kvs.client.KvsClient;
import kvs.security.Password;
import kvs.security.Tls;
import kvs.store.Bytes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code kvs-client set KEY VALUE|- [--ttl TTL] | get [--raw] KEY | mget KEY... | rm KEY | ttl KEY | expire KEY TTL
 * | persist KEY | ping | stats [--addr IP:PORT[,IP:PORT...]] [--password-file FILE]}
 * (README.md, "kvs-server options"; docs/CLUSTER.md: a write whose outcome is unknown exits 3); without a
 * command, or with {@code -i}, an interactive session of those commands ({@link ClientSession}).
 */
@Command(name = "kvs-client", versionProvider = Version.class, mixinStandardHelpOptions = true,
        description = {"Talks to a kvs-server.",
            "Without a command, or with -i, opens an interactive session on one connection: a command a line, as "
                    + "below but without the connection options (quote a word with blanks: set k \"two words\"); "
                    + "help lists them, quit or Ctrl-D ends it. On a terminal: line editing, completion and a history "
                    + "kept in ~/.kvs_history (KVS_HISTFILE names another file; empty or /dev/null, none). "
                    + "Lines piped in run with no prompt; the exit code is then the highest of theirs (0 if none failed)."},
        subcommands = {ClientMain.Set.class, ClientMain.Get.class,
        ClientMain.Mget.class, ClientMain.Rm.class, ClientMain.Ttl.class, ClientMain.Expire.class, ClientMain.Persist.class,
        ClientMain.Ping.class, ClientMain.Stats.class, ClientMain.Cluster.class})
public final class ClientMain implements Callable<Integer> {

    @Option(names = "--addr", paramLabel = "IP:PORT[,IP:PORT...]", converter = Addresses.class, split = ",",
            scope = ScopeType.INHERIT, defaultValue = Addresses.DEFAULT,
            description = "Server address (default: ${DEFAULT-VALUE}); several, comma-separated, for the members of a "
                    + "replicated group: requests follow the leader and move on from a member that does not answer.")
    List<InetSocketAddress> addrs;

    @Option(names = "--password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Authenticate with the password on the first line of FILE (default: the KVS_PASSWORD environment variable, if set).")
    Path passwordFile;

    @Option(names = "--tls", scope = ScopeType.INHERIT, description = "Connect over TLS.")
    boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "With --tls: trust servers whose certificate chains to one in this PEM file (default: the JDK's authorities).")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "With --tls: show this PEM client certificate (to a server started with --tls-ca).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "With --cert: its private key, PEM, unencrypted PKCS#8.")
    Path key;

    @Option(names = {"-i", "--interactive"},
            description = "Open an interactive session (the default without a command).")
    boolean interactive;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Standard input (a one-shot set's value, a session's lines when not on a terminal), or a test's. */
    private final InputStream in;
    /** Where the commands print: standard output and error, or a test's streams. */
    final PrintStream out;
    final PrintStream err;
    /** The session the commands of its lines run in; null for one-shot, whose mode the options make. */
    private final ClientMode mode;
    /** One-shot: the mode made from the options, once (picocli runs a command on the main thread alone). */
    private ClientMode oneShot;

    /** A kvs-client on standard input, output and error. */
    public ClientMain() {
        this(System.in, Cli.OUT, Cli.ERR, null);
    }

    /** A kvs-client whose commands print to {@code out} and {@code err} (tests). */
    ClientMain(PrintStream out, PrintStream err) {
        this(System.in, out, err, null);
    }

    /**
     * A kvs-client reading {@code in}, printing to {@code out} and {@code err}; its commands run in
     * {@code mode} (a session's), or (null) one-shot, on a connection of their own.
     */
    ClientMain(InputStream in, PrintStream out, PrintStream err, ClientMode mode) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.mode = mode;
    }

    public static void main(String[] args) {
        Optional<FastArgs.Command> everyday = FastArgs.read(args);
        System.exit(everyday.isPresent() ? Cli.run(everyday.get()) : Cli.run(new ClientMain(), args));
    }

    /** No command: an interactive session, on a terminal if standard input and output are one, else of the lines piped in. */
    @Override
    public Integer call() throws KvsException {
        ClientMode.Target target = new ClientMode.Target(addrs, options());
        if (in == System.in && ClientSession.isTerminal()) {
            return ClientSession.interactive(target, out, err);
        }
        return ClientSession.piped(target, in, out, err);
    }

    /** The mode the commands run in: the session's, or one-shot, on a connection of the command's own made from the options. */
    ClientMode mode() throws KvsException {
        if (mode != null) {
            return mode;
        }
        if (interactive) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-i opens an interactive session: give it no command");
        }
        if (oneShot == null) {
            oneShot = new ClientMode.OneShot(new ClientMode.Target(addrs, options()), in);
        }
        return oneShot;
    }

    /** The connection options: the password from --password-file, else from KVS_PASSWORD. */
    KvsClient.Options options() throws KvsException {
        String password;
        try {
            password = passwordFile != null ? Password.firstLine(passwordFile) : System.getenv(Password.ENV);
        } catch (IOException | IllegalArgumentException e) {
            throw new KvsException("cannot read the password file " + passwordFile + ": " + e, e);
        }
        KvsClient.Options options = KvsClient.Options.defaults().withPassword(password);
        if (!tls) {
            if (cacert != null || cert != null || key != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cacert, --cert and --key need --tls");
            }
            return options;
        }
        try {
            return options.withTls(Tls.client(cacert, cert, key));
        } catch (IOException e) {
            throw new KvsException("cannot read a TLS file: " + e, e);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * What every subcommand shares: a connection to the server (or a group's members, in turn), its own
     * or its session's.
     */
    abstract static class Connected implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientMain parent;

        @Override
        public final Integer call() throws KvsException {
            return parent.mode().run(this::run);
        }

        /** Runs the command; returns its exit code. */
        abstract int run(Client client) throws KvsException;
    }

    /** A command about one KEY. */
    abstract static class KeyCommand extends Connected {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
    }

    @Command(name = "ping", description = "Prints PONG once the server answers.", mixinStandardHelpOptions = true)
    static final class Ping extends Connected {
        @Override
        int run(Client client) throws KvsException {
            client.ping();
            parent.out.println("PONG");
            return Cli.OK;
        }
    }

    @Command(name = "stats", description = "Prints the server's figures, one 'name: value' a line.", mixinStandardHelpOptions = true)
    static final class Stats extends Connected {
        @Override
        int run(Client client) throws KvsException {
            client.stats().forEach((name, value) -> parent.out.println(name + ": " + value));
            return Cli.OK;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true, subcommands = {ClientMain.MoveSlots.class, ClientMain.AddShard.class, ClientMain.Rebalance.class},
            description = "Asks every --addr (a replicated group's members) for its view: id, role, term, leader and "
                    + "applied index, one member a line (in a sharded cluster, the slot map's epoch and the move under way, "
                    + "then one line per shard, with its slots and members); exits 1 if one does not answer.")
    static final class Cluster implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientMain parent;

        @Override
        public Integer call() throws KvsException {
            ClientMode.Target target = parent.mode().target();
            int code = Cli.OK;
            for (InetSocketAddress address : target.addresses()) {
                String where = HostPort.show(address);
                try (KvsClient client = KvsClient.connect(address, target.options())) {
                    Map<String, Object> s = client.stats();
                    if (s.get("cluster_role") == null) {
                        parent.out.println(where + " single node (not in a group)");
                        continue;
                    }
                    if (s.get("cluster_shards") instanceof Number shards) {
                        Object moving = s.get("cluster_moving");
                        parent.out.println(where + " " + s.get("cluster_node") + " slot map epoch " + s.get("cluster_epoch")
                                + ("".equals(moving) || moving == null ? "" : ", moving " + moving));
                        for (int i = 0; i < shards.intValue(); i++) {
                            String p = "cluster_shard_" + i + "_";
                            parent.out.println(where + " " + s.get("cluster_node") + " shard " + i + " slots " + s.get(p + "slots")
                                    + " members " + s.get(p + "members") + " "
                                    + ("none".equals(s.get(p + "role")) ? "not a member" : view(s, p)));
                        }
                        continue;
                    }
                    parent.out.println(where + " " + s.get("cluster_node") + " " + view(s, "cluster_"));
                } catch (KvsException e) {
                    parent.out.println(where + " unreachable");
                    parent.err.println("cluster: " + e.getMessage());
                    code = Cli.FAILED;
                }
            }
            return code;
        }
    }

    @Command(name = "move-slots", mixinStandardHelpOptions = true,
            description = "Moves COUNT slots of shard FROM with their keys to shard TO of a sharded cluster, while clients go "
                    + "on (the slots next to TO's: FROM's highest when TO is the greater shard, else its lowest); asks the "
                    + "first --addr and waits for the move to end, then prints both shards' slots.")
    static final class MoveSlots implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cluster cluster;

        @Parameters(index = "0", paramLabel = "FROM", description = "the shard the slots leave (0, 1, ...)")
        int from;

        @Parameters(index = "1", paramLabel = "TO", description = "the shard they join")
        int to;

        @Parameters(index = "2", paramLabel = "COUNT", description = "how many slots, 1 or more")
        int count;

        @Override
        public Integer call() throws KvsException {
            ClientMain parent = cluster.parent;
            if (from < 0 || to < 0 || count < 1) {
                return Cli.usageError(this, "FROM and TO are shards (0 or more) and COUNT 1 or more: " + from + " " + to + " " + count);
            }
            Map<String, Object> s = onFirstAddress(parent, client -> client.moveSlots(from, to, count));
            parent.out.println("moved " + count + " slots from shard " + from + " to shard " + to + ": shard " + from
                    + " slots " + s.get("cluster_shard_" + from + "_slots") + ", shard " + to + " slots "
                    + s.get("cluster_shard_" + to + "_slots"));
            return Cli.OK;
        }
    }

    @Command(name = "add-shard", mixinStandardHelpOptions = true,
            description = "Adds a shard to a sharded cluster, a Raft group of MEMBER..., the first expected to lead it: "
                    + "each the id of one of the cluster's processes, or ID=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT for "
                    + "one started with kvs-server --join; asks the first --addr, waits for the shard to have a leader and "
                    + "prints its number. It owns no slot until slots move to it (move-slots, rebalance).")
    static final class AddShard implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cluster cluster;

        @Parameters(paramLabel = "MEMBER", arity = "1..*", description = "3 or 5 processes")
        List<String> members;

        @Override
        public Integer call() throws KvsException {
            ClientMain parent = cluster.parent;
            if (members.size() != 3 && members.size() != 5) {
                return Cli.usageError(this, "a shard has 3 or 5 members, not " + members.size());
            }
            Map<String, Object> s = onFirstAddress(parent, client -> client.addShard(members));
            int shard = ((Number) s.get("cluster_shards")).intValue() - 1;
            parent.out.println("added shard " + shard + ": members "
                    + String.join(" ", members.stream().map(m -> m.contains("=") ? m.substring(0, m.indexOf('=')) : m).toList()));
            return Cli.OK;
        }
    }

    @Command(name = "rebalance", mixinStandardHelpOptions = true,
            description = "Moves slots between the shards of a sharded cluster, one move at a time, until each owns an even "
                    + "share (give or take one), while clients go on; asks the first --addr, waits, then prints each shard's slots.")
    static final class Rebalance implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cluster cluster;

        @Override
        public Integer call() throws KvsException {
            ClientMain parent = cluster.parent;
            Map<String, Object> s = onFirstAddress(parent, KvsClient::rebalance);
            int shards = ((Number) s.get("cluster_shards")).intValue();
            for (int i = 0; i < shards; i++) {
                parent.out.println("shard " + i + " slots " + s.get("cluster_shard_" + i + "_slots"));
            }
            return Cli.OK;
        }
    }

    /** A change of a sharded cluster, made through one of its processes. */
    @FunctionalInterface
    private interface ClusterChange {
        void make(KvsClient client) throws KvsException;
    }

    /** Makes {@code change} through the first --addr, then returns that process's stats (the cluster after it). */
    private static Map<String, Object> onFirstAddress(ClientMain parent, ClusterChange change) throws KvsException {
        ClientMode.Target target = parent.mode().target();
        try (KvsClient client = KvsClient.connect(target.addresses().get(0), target.options())) {
            change.make(client);
            return client.stats();
        }
    }

    /** A member's view of its group in {@code stats}, whose fields start with {@code prefix}: role, term, leader and applied index. */
    private static String view(Map<String, Object> stats, String prefix) {
        Object leader = stats.get(prefix + "leader");
        return stats.get(prefix + "role") + " term " + stats.get(prefix + "term") + " leader "
                + ("".equals(leader) ? "unknown" : leader) + " applied " + stats.get(prefix + "applied_index");
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Sets KEY to VALUE; with VALUE '-', to the bytes read from standard input, unchanged.")
    static final class Set extends KeyCommand {
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Option(names = "--ttl", paramLabel = "TTL", converter = TimeToLive.Positive.class,
                description = "The key expires TTL after the server sets it: a whole number and a unit, ms, s, m or h "
                        + "(30s, 500ms, 2h); a bare number is seconds.")
        Duration ttl;

        @Override
        int run(Client client) throws KvsException {
            Bytes v = value.equals("-") ? parent.mode().standardInput() : Bytes.utf8(value);
            if (ttl == null) {
                client.set(Bytes.utf8(key), v);
            } else {
                client.set(Bytes.utf8(key), v, ttl);
            }
            return Cli.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints the value of KEY, or Key not found: a value that is UTF-8 text and a newline; "
                    + "any other value as its bytes, unchanged, with nothing after them.")
    static final class Get extends KeyCommand {
        @Option(names = "--raw", description = "Write the value's bytes unchanged, with nothing after them, whatever they are.")
        boolean raw;

        @Override
        int run(Client client) throws KvsException {
            Optional<Bytes> value = client.getBytes(Bytes.utf8(key));
            if (value.isEmpty()) {
                parent.out.println("Key not found");
            } else if (!raw && value.get().isUtf8()) {
                parent.out.println(value.get().utf8());
            } else {
                try {
                    value.get().writeTo(parent.out);
                } catch (IOException e) {
                    throw new KvsException("cannot write the value: " + e.getMessage(), e);
                }
                parent.out.flush();
            }
            return Cli.OK;
        }
    }

    @Command(name = "mget", mixinStandardHelpOptions = true,
            description = "Prints the values of the KEYs, read together (never part of a transaction's writes), one line "
                    + "each, in order: the value, or Key not found, as get. A value that is not one line of UTF-8 text "
                    + "prints nothing at all and exits 1, naming its key: read that one with get.")
    static final class Mget extends Connected {
        @Parameters(index = "0..*", arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        int run(Client client) throws KvsException {
            List<Optional<Bytes>> values = client.getAll(keys.stream().map(Bytes::utf8).toList());
            List<String> lines = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).isEmpty()) {
                    lines.add("Key not found");
                    continue;
                }
                Bytes value = values.get(i).get();
                String text = value.utf8OrNull();
                if (text == null || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                    parent.err.println("mget: the value of '" + keys.get(i) + "' is not one line of UTF-8 text ("
                            + value.length() + " bytes); read it with get");
                    return Cli.FAILED;
                }
                lines.add(text);
            }
            lines.forEach(parent.out::println);
            return Cli.OK;
        }
    }

    @Command(name = "rm", description = "Removes KEY.", mixinStandardHelpOptions = true)
    static final class Rm extends KeyCommand {
        @Override
        int run(Client client) throws KvsException {
            try {
                client.remove(key);
                return Cli.OK;
            } catch (KeyNotFoundException e) {
                parent.err.println(e.getMessage());
                return Cli.FAILED;
            }
        }
    }

    @Command(name = "ttl", mixinStandardHelpOptions = true,
            description = "Prints the time KEY has left, in milliseconds, and its deadline (as 29998ms until "
                    + "2026-01-01T00:00:30Z); No deadline for a key that does not expire; or Key not found.")
    static final class Ttl extends KeyCommand {
        @Override
        int run(Client client) throws KvsException {
            parent.out.println(switch (client.ttl(key)) {
                case KeyTtl.Absent a -> "Key not found";
                case KeyTtl.NoDeadline n -> "No deadline";
                case KeyTtl.Expires e -> e.remaining().toMillis() + "ms until " + e.deadline();
            });
            return Cli.OK;
        }
    }

    @Command(name = "expire", mixinStandardHelpOptions = true,
            description = "Makes KEY expire TTL from now (30s, 500ms, 2h; a bare number is seconds); 0 removes it. "
                    + "Key not found (stderr, exit 1) if it is absent.")
    static final class Expire extends KeyCommand {
        @Parameters(index = "1", paramLabel = "TTL", converter = TimeToLive.class)
        Duration ttl;

        @Override
        int run(Client client) throws KvsException {
            if (!client.expire(key, ttl)) {
                parent.err.println("Key not found");
                return Cli.FAILED;
            }
            return Cli.OK;
        }
    }

    @Command(name = "persist", mixinStandardHelpOptions = true,
            description = "Removes KEY's deadline, so it no longer expires; prints No deadline if it had none (or is absent).")
    static final class Persist extends KeyCommand {
        @Override
        int run(Client client) throws KvsException {
            if (!client.persist(key)) {
                parent.out.println("No deadline");
            }
            return Cli.OK;
        }
    }
}
