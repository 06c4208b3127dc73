package kvs.resp;

import java.util.ArrayList;
import java.util.List;

import kvs.command.Ops;

/**
 * Redis Cluster's commands: CLUSTER and its subcommands, ASKING, READONLY and READWRITE. kvs-server is
 * not a Redis Cluster node (sharding is planned: docs/design/SHARDING.md), so each answers as Redis 7.2
 * does with cluster support disabled, once the table's checks of its name and arity have passed.
 */
final class ClusterCommands {

    private static final RespError DISABLED = new RespError("ERR This instance has cluster support disabled");

    /** A CLUSTER subcommand and its arity, as Redis counts it. */
    private record Subcommand(String name, int arity) {
    }

    /** Redis 7.2's CLUSTER subcommands. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("slots", 2), new Subcommand("shards", 2), new Subcommand("nodes", 2),
            new Subcommand("myid", 2), new Subcommand("myshardid", 2), new Subcommand("info", 2),
            new Subcommand("links", 2), new Subcommand("help", 2), new Subcommand("flushslots", 2),
            new Subcommand("saveconfig", 2), new Subcommand("bumpepoch", 2),
            new Subcommand("keyslot", 3), new Subcommand("countkeysinslot", 3), new Subcommand("forget", 3),
            new Subcommand("replicate", 3), new Subcommand("replicas", 3), new Subcommand("slaves", 3),
            new Subcommand("count-failure-reports", 3), new Subcommand("set-config-epoch", 3),
            new Subcommand("getkeysinslot", 4), new Subcommand("addslots", -3), new Subcommand("delslots", -3),
            new Subcommand("addslotsrange", -4), new Subcommand("delslotsrange", -4), new Subcommand("setslot", -4),
            new Subcommand("meet", -4), new Subcommand("failover", -2), new Subcommand("reset", -2));

    private ClusterCommands() {
    }

    /** The commands, for the table. */
    static List<Command> commands() {
        List<Command> subcommands = new ArrayList<>();
        for (Subcommand sub : SUBCOMMANDS) {
            subcommands.add(Command.of("cluster|" + sub.name(), sub.arity(), ClusterCommands::disabled));
        }
        return List.of(
                Command.container("cluster", -2, null, subcommands.toArray(Command[]::new)),
                Command.of("asking", 1, ClusterCommands::disabled),
                Command.of("readonly", 1, ClusterCommands::disabled),
                Command.of("readwrite", 1, ClusterCommands::disabled));
    }

    private static Reply disabled(Args args, Ops ops, RespSession client) {
        throw DISABLED;
    }
}
