package kvs.resp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import kvs.MovedException;
import kvs.command.Ops;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.slots.Topology;
import kvs.store.Bytes;

/**
 * Redis Cluster's commands: CLUSTER and its subcommands, ASKING, READONLY and READWRITE. A process
 * of a sharded cluster (docs/CLUSTER.md) answers the ones clients use to learn the slot map as
 * Redis 7.2 does, from the {@link Topology}: each process is a node, the master of the slots of the
 * shards it leads. Any other server answers each as Redis does with cluster support disabled, once
 * the table's checks of its name and arity have passed.
 */
final class ClusterCommands {

    private static final RespError DISABLED = new RespError("ERR This instance has cluster support disabled");
    private static final RespError INVALID_SLOT = new RespError("ERR Invalid slot");
    private static final RespError INVALID_SLOT_OR_COUNT = new RespError("ERR Invalid slot or number of keys");

    /** A CLUSTER subcommand, its arity as Redis counts it, and how a sharded cluster's process answers it (null: it does not). */
    private record Subcommand(String name, int arity, Command.Handler sharded) {
    }

    /** Redis 7.2's CLUSTER subcommands. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("slots", 2, ClusterCommands::slots), new Subcommand("shards", 2, ClusterCommands::shards),
            new Subcommand("nodes", 2, ClusterCommands::nodes), new Subcommand("myid", 2, ClusterCommands::myid),
            new Subcommand("myshardid", 2, null), new Subcommand("info", 2, ClusterCommands::info),
            new Subcommand("links", 2, null), new Subcommand("help", 2, null), new Subcommand("flushslots", 2, null),
            new Subcommand("saveconfig", 2, null), new Subcommand("bumpepoch", 2, null),
            new Subcommand("keyslot", 3, ClusterCommands::keyslot),
            new Subcommand("countkeysinslot", 3, ClusterCommands::countkeysinslot), new Subcommand("forget", 3, null),
            new Subcommand("replicate", 3, null), new Subcommand("replicas", 3, null), new Subcommand("slaves", 3, null),
            new Subcommand("count-failure-reports", 3, null), new Subcommand("set-config-epoch", 3, null),
            new Subcommand("getkeysinslot", 4, ClusterCommands::getkeysinslot), new Subcommand("addslots", -3, null),
            new Subcommand("delslots", -3, null), new Subcommand("addslotsrange", -4, null),
            new Subcommand("delslotsrange", -4, null), new Subcommand("setslot", -4, null), new Subcommand("meet", -4, null),
            new Subcommand("failover", -2, null), new Subcommand("reset", -2, null));

    private ClusterCommands() {
    }

    /** The commands, for the table. */
    static List<Command> commands() {
        List<Command> subcommands = new ArrayList<>();
        for (Subcommand sub : SUBCOMMANDS) {
            subcommands.add(Command.of("cluster|" + sub.name(), sub.arity(), sub.sharded() == null
                    ? ClusterCommands::unsupported : sharded(sub.sharded())));
        }
        return List.of(
                Command.container("cluster", -2, null, subcommands.toArray(Command[]::new)),
                Command.of("asking", 1, sharded((args, ops, client) -> Reply.ok())),
                Command.of("readonly", 1, sharded((args, ops, client) -> Reply.ok())),
                Command.of("readwrite", 1, sharded((args, ops, client) -> Reply.ok())));
    }

    /** {@code handler} in a sharded cluster; Redis's refusal elsewhere. */
    private static Command.Handler sharded(Command.Handler handler) {
        return (args, ops, client) -> {
            if (client.settings().topology() == null) {
                throw DISABLED;
            }
            return handler.plan(args, ops, client);
        };
    }

    /** A subcommand that changes a Redis Cluster by hand: kvs's slot map changes through its own commands. */
    private static Reply unsupported(Args args, Ops ops, RespSession client) {
        if (client.settings().topology() == null) {
            throw DISABLED;
        }
        throw RespError.quoting("ERR CLUSTER " + args.raw(1).toUpperCase(java.util.Locale.ROOT)
                + " is not supported: a kvs cluster's slot map changes only through kvs-client cluster (docs/CLUSTER.md)");
    }

    /** CLUSTER SLOTS: each run of slots with the node that serves it: [first, last, [ip, port, id, {}]]. */
    private static Reply slots(Args args, Ops ops, RespSession client) {
        Topology t = client.settings().topology();
        SlotMap map = t.slots();
        record Run(SlotMap.Range range, Topology.Node node) {
        }
        List<Run> runs = new ArrayList<>();
        for (int shard = 0; shard < map.shards(); shard++) {
            Topology.Node node = t.server(shard);
            for (SlotMap.Range r : map.ranges(shard)) {
                runs.add(new Run(r, node));
            }
        }
        runs.sort((a, b) -> Integer.compare(a.range().first(), b.range().first()));
        return out -> {
            out.array(runs.size());
            for (Run run : runs) {
                out.array(3).integer(run.range().first()).integer(run.range().last());
                out.array(4).bulk(run.node().host()).integer(run.node().port()).bulk(run.node().id()).map(0);
            }
        };
    }

    /** CLUSTER SHARDS: each shard's slots (pairs of first and last) and the node that serves it, as its master. */
    private static Reply shards(Args args, Ops ops, RespSession client) {
        Topology t = client.settings().topology();
        SlotMap map = t.slots();
        return out -> {
            out.array(map.shards());
            for (int shard = 0; shard < map.shards(); shard++) {
                List<SlotMap.Range> ranges = map.ranges(shard);
                Topology.Node node = t.server(shard);
                out.map(2).bulk("slots").array(2 * ranges.size());
                for (SlotMap.Range r : ranges) {
                    out.integer(r.first()).integer(r.last());
                }
                out.bulk("nodes").array(1).map(7)
                        .bulk("id").bulk(node.id())
                        .bulk("port").integer(node.port())
                        .bulk("ip").bulk(node.host())
                        .bulk("endpoint").bulk(node.host())
                        .bulk("role").bulk("master")
                        .bulk("replication-offset").integer(0)
                        .bulk("health").bulk("online");
            }
        };
    }

    /**
     * CLUSTER NODES: a line per node, {@code id ip:port@bus flags master ping pong epoch link slots...},
     * each node a master of the slots of the shards it serves.
     */
    private static Reply nodes(Args args, Ops ops, RespSession client) {
        Topology t = client.settings().topology();
        SlotMap map = t.slots();
        StringBuilder b = new StringBuilder();
        long now = System.currentTimeMillis();
        List<Topology.Node> servers = new ArrayList<>();
        for (int shard = 0; shard < map.shards(); shard++) {
            servers.add(t.server(shard)); // once: a shard's server is read from its Raft state
        }
        for (Topology.Node node : t.nodes()) {
            boolean self = node.equals(t.self());
            b.append(node.id()).append(' ').append(address(node)).append(':').append(node.port()).append('@').append(node.bus())
                    .append(self ? " myself,master - 0 " : " master - 0 ").append(self ? 0 : now).append(' ')
                    .append(map.epoch()).append(" connected");
            for (int shard = 0; shard < map.shards(); shard++) {
                if (servers.get(shard).equals(node)) {
                    for (SlotMap.Range r : map.ranges(shard)) {
                        b.append(' ').append(r.text());
                    }
                }
            }
            b.append('\n');
        }
        return out -> out.verbatim(b.toString());
    }

    /** An IPv6 address in brackets, as CLUSTER NODES writes it before {@code :port}. */
    private static String address(Topology.Node node) {
        return node.host().indexOf(':') >= 0 ? "[" + node.host() + "]" : node.host();
    }

    private static Reply myid(Args args, Ops ops, RespSession client) {
        String id = client.settings().topology().self().id();
        return out -> out.bulk(id);
    }

    /** CLUSTER INFO: Redis's fields; the cluster is ok while every shard has a leader. */
    private static Reply info(Args args, Ops ops, RespSession client) {
        Topology t = client.settings().topology();
        SlotMap map = t.slots();
        boolean ok = t.allServed();
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("cluster_state", ok ? "ok" : "fail");
        fields.put("cluster_slots_assigned", HashSlot.SLOTS);
        fields.put("cluster_slots_ok", ok ? HashSlot.SLOTS : 0);
        fields.put("cluster_slots_pfail", 0);
        fields.put("cluster_slots_fail", ok ? 0 : HashSlot.SLOTS);
        fields.put("cluster_known_nodes", t.nodes().size());
        fields.put("cluster_size", map.shards());
        fields.put("cluster_current_epoch", map.epoch());
        fields.put("cluster_my_epoch", map.epoch());
        fields.put("cluster_stats_messages_sent", 0);
        fields.put("cluster_stats_messages_received", 0);
        fields.put("total_cluster_links_buffer_limit_exceeded", 0);
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(k).append(':').append(v).append("\r\n"));
        return out -> out.verbatim(b.toString());
    }

    private static Reply keyslot(Args args, Ops ops, RespSession client) {
        int slot = HashSlot.of(args.key(2));
        return out -> out.integer(slot);
    }

    /** CLUSTER COUNTKEYSINSLOT slot: how many keys of the slot this process serves (0 for a slot served elsewhere). */
    private static Reply countkeysinslot(Args args, Ops ops, RespSession client) {
        long slot = args.integer(2);
        if (slot < 0 || slot >= HashSlot.SLOTS) {
            throw INVALID_SLOT;
        }
        Ops.Call<List<Bytes>> keys = keysInSlot(ops, client, (int) slot, Long.MAX_VALUE);
        return out -> out.integer(keys.result().size());
    }

    /** CLUSTER GETKEYSINSLOT slot count: up to count of the slot's keys this process serves. */
    private static Reply getkeysinslot(Args args, Ops ops, RespSession client) {
        long slot = args.integer(2);
        long count = args.integer(3);
        if (slot < 0 || slot >= HashSlot.SLOTS || count < 0) {
            throw INVALID_SLOT_OR_COUNT;
        }
        Ops.Call<List<Bytes>> keys = keysInSlot(ops, client, (int) slot, count);
        return out -> {
            List<Bytes> found = keys.result();
            out.array(found.size());
            for (Bytes k : found) {
                out.bulk(k);
            }
        };
    }

    /** Up to {@code most} keys of {@code slot}, from its shard's keys, in the command's place; none when another process serves it. */
    private static Ops.Call<List<Bytes>> keysInSlot(Ops ops, RespSession client, int slot, long most) {
        return ops.call(keyspace -> {
            List<Bytes> found = new ArrayList<>();
            Iterator<Bytes> it;
            try {
                it = client.store().forSlot(slot).keys();
            } catch (MovedException e) {
                return found;
            }
            while (it.hasNext() && found.size() < most) {
                Bytes k = it.next();
                if (HashSlot.of(k) == slot) {
                    found.add(k);
                }
            }
            return found;
        });
    }
}
