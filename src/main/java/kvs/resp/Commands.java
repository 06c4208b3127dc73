package kvs.resp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command table and the checks Redis makes before a command runs: that it exists, and its arity. */
final class Commands {

    private static final Map<String, Command> TABLE = table(List.of(
            Command.of("ping", -1, ConnectionCommands::ping),
            Command.of("echo", 2, ConnectionCommands::echo),
            Command.of("quit", -1, ConnectionCommands::quit),
            Command.of("auth", -2, ConnectionCommands::auth),
            Command.of("hello", -1, ConnectionCommands::hello),
            Command.of("select", 2, ConnectionCommands::select),
            Command.container("client", -2, null,
                    Command.of("client|setname", 3, ConnectionCommands::clientSetname),
                    Command.of("client|getname", 2, ConnectionCommands::clientGetname),
                    Command.of("client|id", 2, ConnectionCommands::clientId),
                    Command.of("client|setinfo", 4, ConnectionCommands::clientSetinfo)),
            Command.container("command", -1, ServerCommands::command,
                    Command.of("command|count", 2, ServerCommands::commandCount),
                    Command.of("command|getkeys", -4, ServerCommands::commandGetkeys),
                    Command.of("command|docs", -2, ServerCommands::commandDocs),
                    Command.of("command|info", -2, ServerCommands::commandInfo)),
            Command.container("config", -2, null,
                    Command.of("config|get", -3, ServerCommands::configGet),
                    Command.of("config|set", -4, ServerCommands::configSet),
                    Command.of("config|resetstat", 2, ServerCommands::configResetstat)),
            Command.of("info", -1, ServerCommands::info),
            Command.of("time", 1, ServerCommands::time),
            Command.of("dbsize", 1, KeyCommands::dbsize),
            Command.oneKey("get", 2, StringCommands::get),
            Command.oneKey("set", -3, StringCommands::set),
            Command.oneKey("setnx", 3, StringCommands::setnx),
            Command.oneKey("getset", 3, StringCommands::getset),
            Command.oneKey("getdel", 2, StringCommands::getdel),
            Command.keyed("mget", -2, 1, -1, 1, StringCommands::mget),
            Command.keyed("mset", -3, 1, -1, 2, StringCommands::mset),
            Command.keyed("msetnx", -3, 1, -1, 2, StringCommands::msetnx),
            Command.keyed("del", -2, 1, -1, 1, KeyCommands::del),
            Command.keyed("unlink", -2, 1, -1, 1, KeyCommands::del),
            Command.keyed("exists", -2, 1, -1, 1, KeyCommands::exists),
            Command.oneKey("type", 2, KeyCommands::type),
            Command.oneKey("strlen", 2, StringCommands::strlen),
            Command.oneKey("append", 3, StringCommands::append),
            Command.oneKey("getrange", 4, StringCommands::getrange),
            Command.oneKey("substr", 4, StringCommands::getrange),
            Command.oneKey("setrange", 4, StringCommands::setrange),
            Command.oneKey("incr", 2, StringCommands::incr),
            Command.oneKey("incrby", 3, StringCommands::incrby),
            Command.oneKey("decr", 2, StringCommands::decr),
            Command.oneKey("decrby", 3, StringCommands::decrby),
            Command.oneKey("incrbyfloat", 3, StringCommands::incrbyfloat),
            Command.of("scan", -2, KeyCommands::scan),
            Command.of("keys", 2, KeyCommands::keys),
            Command.of("randomkey", 1, KeyCommands::randomkey),
            Command.of("flushdb", -1, KeyCommands::flush),
            Command.of("flushall", -1, KeyCommands::flush),
            Command.oneKey("setex", 4, StringCommands::setex),
            Command.oneKey("psetex", 4, StringCommands::psetex),
            Command.oneKey("getex", -2, ExpireCommands::getex),
            Command.oneKey("expire", -3, ExpireCommands::expire),
            Command.oneKey("pexpire", -3, ExpireCommands::pexpire),
            Command.oneKey("expireat", -3, ExpireCommands::expireat),
            Command.oneKey("pexpireat", -3, ExpireCommands::pexpireat),
            Command.oneKey("expiretime", 2, ExpireCommands::expiretime),
            Command.oneKey("pexpiretime", 2, ExpireCommands::pexpiretime),
            Command.oneKey("ttl", 2, ExpireCommands::ttl),
            Command.oneKey("pttl", 2, ExpireCommands::pttl),
            Command.oneKey("persist", 2, ExpireCommands::persist),
            Command.keyed("rename", 3, 1, 2, 1, KeyCommands::rename),
            Command.keyed("renamenx", 3, 1, 2, 1, KeyCommands::renamenx),
            Command.keyed("copy", -3, 1, 2, 1, KeyCommands::copy),
            Command.oneKey("move", 3, KeyCommands::move),
            Command.of("multi", 1, TransactionCommands::multi),
            Command.of("exec", 1, TransactionCommands::exec),
            Command.of("discard", 1, TransactionCommands::discard),
            Command.keyed("watch", -2, 1, -1, 1, TransactionCommands::watch),
            Command.of("unwatch", 1, TransactionCommands::unwatch)),
            ClusterCommands.commands());

    /** The commands a client may send before it authenticates (Redis's {@code no_auth} flag). */
    private static final Set<String> NO_AUTH = Set.of("auth", "hello", "quit");
    private static final RespError NOAUTH = new RespError("NOAUTH Authentication required.");

    private Commands() {
    }

    private static Map<String, Command> table(List<Command> commands, List<Command> cluster) {
        Map<String, Command> table = new HashMap<>();
        for (Command c : commands) {
            table.put(c.name(), c);
        }
        for (Command c : cluster) {
            table.put(c.name(), c);
        }
        return Map.copyOf(table);
    }

    /** Whether {@code name} (lower case) is a command of the table. */
    static boolean exists(String name) {
        return TABLE.containsKey(name);
    }

    /** The commands of the table, by name (COMMAND). */
    static List<Command> all() {
        return TABLE.values().stream().sorted(java.util.Comparator.comparing(Command::name)).toList();
    }

    /** The command named {@code name} (lower case), or null. */
    static Command named(String name) {
        return TABLE.get(name);
    }

    /** How many commands the table has (COMMAND COUNT). */
    static int count() {
        return TABLE.size();
    }

    /**
     * Finds the command {@code args} names ({@code name}: argument 0 in lower case) and makes
     * Redis's checks before a command runs, or is queued in a transaction.
     *
     * @throws RespError Redis's error for an unknown command or subcommand, a wrong number of
     *                   arguments, or a client yet to authenticate
     */
    static Command find(String name, Args args, RespSession client) {
        Command c = TABLE.get(name);
        if (c == null) {
            throw unknown(args);
        }
        if (!c.subcommands().isEmpty() && args.size() >= 2) {
            Command sub = c.subcommands().get(args.lower(1));
            if (sub == null) {
                throw RespError.quoting("ERR unknown subcommand '" + clip(args.raw(1), 128) + "'. Try "
                        + args.raw(0).toUpperCase(java.util.Locale.ROOT) + " HELP.");
            }
            c = sub;
        }
        if (!c.arityFits(args.size())) {
            throw RespError.arity(c.name());
        }
        if (!client.authenticated() && !NO_AUTH.contains(name)) { // after the checks above, as in Redis
            throw NOAUTH;
        }
        return c;
    }

    /** Redis's text: the name, then the first arguments, each quoted and followed by a space, up to 128 characters. */
    private static RespError unknown(Args args) {
        StringBuilder rest = new StringBuilder();
        for (int j = 1; j < args.size() && rest.length() < 128; j++) {
            String arg = clip(args.raw(j), 128 - rest.length()); // Redis's precision: from the length before this one
            rest.append('\'').append(arg).append("' ");
        }
        return RespError.quoting("ERR unknown command '" + clip(args.raw(0), 128) + "', with args beginning with: " + rest);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
