package kvs.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvs.client.HostPort;
import kvs.cluster.ClusterConfig;
import kvs.cluster.Member;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** kvs-server's cluster-mode options (docs/CLUSTER.md); without {@code --peer} the server is a single node. */
final class ClusterOptions {

    @Option(names = "--node-id", paramLabel = "ID", description = "Cluster mode: this member's id, one of the --peer ids.")
    String nodeId;

    @Option(names = "--peer", paramLabel = "ID=KVS_HOST:PORT,RAFT_HOST:PORT[,RESP_HOST:PORT]",
            description = "Cluster mode: a member of the group, this one included; one --peer per member (3 or 5). "
                    + "A sharded cluster needs each member's RESP address too.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--shards", paramLabel = "N", defaultValue = "1",
            description = "Cluster mode: split the keyspace's 16384 hash slots into N shards, each a Raft group of "
                    + "every member, served over RESP as a Redis Cluster; fixed at the first start (default: ${DEFAULT-VALUE}).")
    int shards = 1;

    @Option(names = "--join", arity = "0..1", paramLabel = "true|false", fallbackValue = "true",
            description = "Sharded mode: this process joins a running sharded cluster rather than founding it: --peer names "
                    + "the cluster's founding members and this process, --shards the number it was founded with; "
                    + "shards come to it with kvs-client cluster add-shard. Given at every start of such a process.")
    boolean join;

    @Option(names = "--cluster-id", paramLabel = "NAME", defaultValue = "kvs",
            description = "Cluster mode: the group's name; its Raft group id is derived from it (default: ${DEFAULT-VALUE}).")
    String clusterId;

    @Option(names = "--election-timeout-ms", paramLabel = "N", defaultValue = "1000",
            description = "Cluster mode: the shortest Raft election timeout; the longest is twice it (default: ${DEFAULT-VALUE}).")
    long electionTimeoutMs;

    @Option(names = "--snapshot-every", paramLabel = "N", defaultValue = "" + ClusterConfig.DEFAULT_SNAPSHOT_EVERY,
            description = "Cluster mode: applied log entries between snapshots; the log before a snapshot is purged "
                    + "(default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--read", paramLabel = "linearizable|lease", defaultValue = "linearizable",
            description = "Cluster mode: how reads see every write acknowledged before them: linearizable (Raft ReadIndex, "
                    + "the leader asks a majority on each read) or lease (the leader answers while its lease holds: faster, "
                    + "correct only while the members' clocks keep about the same rate) (default: ${DEFAULT-VALUE}).")
    String read;

    boolean enabled() {
        return !peers.isEmpty() || nodeId != null || shards != 1;
    }

    /**
     * The cluster configuration, its Raft files in {@code raftDir}; the member's kvs address must be
     * {@code addr} when --addr was given.
     *
     * @throws IllegalArgumentException naming the option that is wrong
     */
    ClusterConfig config(Path raftDir, InetSocketAddress addr, boolean addrGiven) {
        if (nodeId == null || peers.isEmpty()) {
            throw usage("cluster mode needs --node-id and a --peer for every member, this one included");
        }
        ClusterConfig.Reads reads = switch (read) {
            case "linearizable" -> ClusterConfig.Reads.LINEARIZABLE;
            case "lease" -> ClusterConfig.Reads.LEASE;
            default -> throw usage("--read must be linearizable or lease, not '" + read + "'");
        };
        if (snapshotEvery < 1) {
            throw usage("--snapshot-every must be 1 or more, not " + snapshotEvery);
        }
        List<Member> members = new ArrayList<>();
        for (String p : peers) {
            members.add(member(p));
        }
        ClusterConfig config = new ClusterConfig(nodeId, members, clusterId, Duration.ofMillis(electionTimeoutMs), raftDir,
                snapshotEvery, reads);
        int founders = join ? members.size() - 1 : members.size();
        if (founders < 3 || founders % 2 == 0) {
            throw usage("a group has 3 or 5 members (an odd number, so a majority survives a lost one), not " + founders
                    + (join ? " (--join: --peer names the founding members and this process)" : ""));
        }
        if (join && shards == 1) {
            throw usage("--join joins a sharded cluster: give --shards as its founders were started");
        }
        if (shards < 1 || shards > kvs.slots.HashSlot.SLOTS) {
            throw usage("--shards must be 1 to " + kvs.slots.HashSlot.SLOTS + ", not " + shards);
        }
        if (shards > 1) {
            for (Member m : members) {
                if (m.resp() == null) {
                    throw usage("--shards " + shards + " needs every member's RESP address: --peer " + m.id()
                            + "=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT");
                }
            }
        }
        if (addrGiven && !addr.equals(config.selfMember().kvs())) {
            throw usage("--addr " + HostPort.show(addr) + " is not the address --peer gives " + nodeId);
        }
        return config;
    }

    /** {@code ID=KVS_HOST:PORT,RAFT_HOST:PORT[,RESP_HOST:PORT]}. */
    private static Member member(String spec) {
        int eq = spec.indexOf('=');
        int comma = spec.indexOf(',', Math.max(eq, 0));
        if (eq <= 0 || comma < 0) {
            throw usage("bad --peer '" + spec + "': expected ID=KVS_HOST:PORT,RAFT_HOST:PORT[,RESP_HOST:PORT]");
        }
        int second = spec.indexOf(',', comma + 1);
        Addresses addresses = new Addresses();
        try {
            return new Member(spec.substring(0, eq), addresses.convert(spec.substring(eq + 1, comma)),
                    addresses.convert(second < 0 ? spec.substring(comma + 1) : spec.substring(comma + 1, second)),
                    second < 0 ? null : addresses.convert(spec.substring(second + 1)));
        } catch (CommandLine.TypeConversionException | IllegalArgumentException e) {
            throw usage("bad --peer '" + spec + "': " + e.getMessage());
        }
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message);
    }
}
