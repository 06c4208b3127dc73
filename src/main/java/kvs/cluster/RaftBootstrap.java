package kvs.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import kvs.client.HostPort;
import kvs.store.Store;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Starts a member's Ratis server: its properties (election timeout, reads, the appender's buffer,
 * snapshots and purging), its group, and the check that the group's members are the ones it
 * first started with.
 */
final class RaftBootstrap {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RaftBootstrap.class);

    /** Ratis's appender buffer, which bounds an entry: the largest frame (one set) and room to spare. */
    static final SizeInBytes APPENDER_BUFFER = SizeInBytes.valueOf(20L << 20);

    private RaftBootstrap() {
    }

    /** A started member's Ratis server, its state machine and its group's id. */
    record Started(RaftServer server, KvsStateMachine stateMachine, RaftGroupId groupId) {
    }

    /**
     * Starts {@code config}'s member over {@code engine}, Ratis's properties adjusted last by
     * {@code tuning} (tests: small log segments); closes the engine if it cannot start.
     */
    static Started start(ClusterConfig config, Store engine, Consumer<RaftProperties> tuning) throws IOException {
        RaftGroupId groupId = groupId(config.clusterId());
        KvsStateMachine stateMachine;
        try {
            checkMembers(config);
            checkShards(config, 1);
            stateMachine = new KvsStateMachine(engine, isNewLog(config, groupId));
        } catch (IOException e) {
            ClusterNode.closeQuietly(engine, e);
            throw e;
        }
        RaftServer server;
        try {
            server = startServer(config, RaftGroup.valueOf(groupId, peers(config, -1)), g -> stateMachine, tuning);
        } catch (IOException e) {
            ClusterNode.closeQuietly(engine, e);
            throw e;
        }
        return new Started(server, stateMachine, groupId);
    }

    /**
     * A started process's Ratis server, hosting its members of the shards (their state machines
     * made by {@code machines}) and, in a founding process, of the metadata group, which holds the
     * cluster's layout.
     */
    record StartedShards(RaftServer server, ShardMachines machines, RaftGroup metaGroup) {
    }

    /**
     * Starts {@code config}'s process of a sharded cluster in one Ratis server (multi-raft). A
     * founding process ({@code founders} holds it) is a member of the cluster's first {@code shards}
     * shards and of its metadata group: shard 0's group given to the server, the others added to
     * it (each member adds its own), each shard's first leader expected on a different member
     * (shard {@code i}'s on founder {@code i} mod their number, by Raft priority), and the
     * metadata group ({@link SlotMapMachine}), over the same members, added last. A process that
     * joined later ({@code founders} does not hold it) starts with the groups it stored, if any;
     * the shards added to the cluster come to it as they are added ({@link #addGroup}). Shard
     * engines are opened by {@code engines} as Ratis makes each shard's state machine; closes
     * those opened if it cannot start.
     */
    static StartedShards startShards(ClusterConfig config, List<Member> founders, int shards, ShardEngines engines,
                                     Consumer<RaftProperties> tuning) throws IOException {
        boolean founder = founders.stream().anyMatch(m -> m.id().equals(config.self()));
        checkRole(config, founder);
        checkMembers(config);
        checkShards(config, shards);
        RaftGroup metaGroup = RaftGroup.valueOf(ShardMachines.metaGroupId(config.clusterId()), peers(founders, -1));
        List<RaftGroup> groups = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            groups.add(RaftGroup.valueOf(ShardMachines.shardGroupId(config.clusterId(), i), peers(founders, i % founders.size())));
        }
        ShardMachines machines = new ShardMachines(config, shards, engines, founder ? new SlotMapMachine(founders, shards) : null);
        RaftServer server;
        try {
            server = startServer(config, founder ? groups.get(0) : null, machines.registry(), tuning);
        } catch (IOException | RuntimeException e) {
            machines.closeEngines(e);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        if (founder) {
            try {
                for (RaftGroup g : groups.subList(1, groups.size())) {
                    addGroup(server, g);
                }
                addGroup(server, metaGroup);
            } catch (IOException | RuntimeException e) {
                server.close();
                machines.closeEngines(e);
                throw new IOException("cannot start the shards of '" + config.self() + "': " + e.getMessage(), e);
            }
        }
        return new StartedShards(server, machines, metaGroup);
    }

    /** Shard {@code shard}'s Raft group: its members, the one expected to lead of higher priority. */
    static RaftGroup shardGroup(String clusterId, int shard, Layout.ShardMembers members) {
        return RaftGroup.valueOf(ShardMachines.shardGroupId(clusterId, shard), peers(members.members(), members.preferred()));
    }

    /**
     * Adds {@code group} to {@code server}, unless the server loaded it from its directory: then
     * repairs it when it came back with no members (a group added and stopped before its first
     * election, RATIS-2661), by removing it, keeping its directory, and adding it again.
     */
    static void addGroup(RaftServer server, RaftGroup group) throws IOException {
        ClientId client = ClientId.randomId();
        boolean loaded = false;
        for (RaftGroupId id : server.getGroupIds()) {
            loaded |= id.equals(group.getGroupId());
        }
        if (loaded) {
            if (!server.getDivision(group.getGroupId()).getGroup().getPeers().isEmpty()) {
                return;
            }
            log.info("Raft group {} came back without members (stopped before its first election, RATIS-2661): adding it again",
                    group.getGroupId());
            check(server.groupManagement(GroupManagementRequest.newRemove(client, server.getId(), 1, group.getGroupId(),
                    /* deleteDirectory= */ false, /* renameDirectory= */ false)));
            check(server.groupManagement(GroupManagementRequest.newAdd(client, server.getId(), 2, group, /* format= */ false)));
            return;
        }
        check(server.groupManagement(GroupManagementRequest.newAdd(client, server.getId(), 3, group)));
    }

    private static void check(RaftClientReply reply) throws IOException {
        if (!reply.isSuccess()) {
            throw reply.getException() != null ? reply.getException() : new IOException("refused: " + reply);
        }
    }

    /** The Raft group id of the group named {@code name}, the same on every member. */
    private static RaftGroupId groupId(String name) {
        return ShardMachines.groupId(name);
    }

    /** Whether the group {@code id} has no log in this member's directory yet. */
    static boolean isNewLog(ClusterConfig config, RaftGroupId id) {
        return !Files.isDirectory(config.raftDir().resolve(id.getUuid().toString()));
    }

    /** The group's members as Raft peers; member {@code preferred} (when 0 or more) of higher priority, to lead. */
    private static List<RaftPeer> peers(ClusterConfig config, int preferred) {
        return peers(config.members(), preferred);
    }

    /** {@code members} as Raft peers; member {@code preferred} (when 0 or more) of higher priority, to lead. */
    static List<RaftPeer> peers(List<Member> members, int preferred) {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            RaftPeer.Builder b = RaftPeer.newBuilder().setId(m.id()).setAddress(m.raft());
            if (preferred >= 0) {
                b.setPriority(i == preferred ? 1 : 0);
            }
            peers.add(b.build());
        }
        return peers;
    }

    /** Starts the member's Ratis server with {@code group} (and those it stored; none given: only those), each group's state machine from {@code machines}. */
    private static RaftServer startServer(ClusterConfig config, RaftGroup group, StateMachine.Registry machines,
                                          Consumer<RaftProperties> tuning) throws IOException {
        ExitUtils.disableSystemExit(); // a port that cannot be bound is an exception here, not System.exit
        Member self = config.selfMember();
        RaftProperties p = properties(config, tuning);
        RaftServer server = null;
        try {
            RaftServer.Builder builder = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.self()))
                    .setStateMachineRegistry(machines).setProperties(p).setOption(RaftStorage.StartupOption.RECOVER);
            server = (group == null ? builder : builder.setGroup(group)).build();
            server.start();
            return server;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw new IOException("cannot start the Raft server of '" + config.self() + "' on "
                    + HostPort.show(self.raft()) + ": " + e.getMessage(), e);
        }
    }

    /** Ratis's properties for {@code config}'s member, adjusted last by {@code tuning}. */
    private static RaftProperties properties(ClusterConfig config, Consumer<RaftProperties> tuning) {
        Member self = config.selfMember();
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, self.raft().getHostString());
        GrpcConfigKeys.Server.setPort(p, self.raft().getPort());
        long timeout = config.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(timeout, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * timeout, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, config.reads() == ClusterConfig.Reads.LEASE);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, APPENDER_BUFFER);
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(APPENDER_BUFFER.getSize() + (1 << 20)));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(APPENDER_BUFFER.getSize() + (4 << 20)));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(config.snapshotEvery(), 1024));
        tuning.accept(p);
        return p;
    }

    /**
     * Records how many shards the member's cluster has in {@code DATA/raft/shards} on its first
     * sharded start, and refuses a later start with another number (the slot map is fixed).
     */
    private static void checkShards(ClusterConfig config, int shards) throws IOException {
        Path file = config.raftDir().resolve("shards");
        if (Files.exists(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.equals(Integer.toString(shards))) {
                throw new IOException("this member's cluster has " + stored + " shards (in " + file + "), not " + shards
                        + " as --shards now says; the number of shards is fixed at the first start");
            }
            return;
        }
        if (shards == 1) {
            return; // a single group, as before shards
        }
        if (!isNewLog(config, groupId(config.clusterId()))) {
            throw new IOException("this member holds a single group's log (in " + config.raftDir()
                    + "); it cannot become a member of " + shards + " shards");
        }
        Files.createDirectories(config.raftDir());
        Path tmp = file.resolveSibling("shards.tmp");
        Files.writeString(tmp, shards + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Records in {@code DATA/raft/joined} that the process joined a running cluster (rather than
     * founding it) on its first start, and refuses a later start as the other.
     */
    private static void checkRole(ClusterConfig config, boolean founder) throws IOException {
        Path file = config.raftDir().resolve("joined");
        boolean first = !Files.exists(config.raftDir().resolve("members"));
        if (!first && Files.exists(file) == founder) {
            throw new IOException(founder
                    ? "this process joined its cluster (" + file + " says so): start it with --join, as at its first start"
                    : "this process founded its cluster (no " + file + "): start it without --join, as at its first start");
        }
        if (!founder && !Files.exists(file)) {
            Files.createDirectories(config.raftDir());
            Files.writeString(file, config.self() + "\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * Records the group's members (ids and Raft addresses) in {@code DATA/raft/members} on the
     * first start and refuses a later start given others: Ratis would go on with the stored ones.
     */
    private static void checkMembers(ClusterConfig config) throws IOException {
        Path file = config.raftDir().resolve("members");
        List<String> given = config.members().stream().map(m -> m.id() + "=" + HostPort.show(m.raft())).sorted().toList();
        if (Files.exists(file)) {
            List<String> stored = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!stored.equals(given)) {
                throw new IOException("this member's group is " + stored + " (ids and Raft addresses, in " + file
                        + "), not " + given + " as --peer now says; a group's members cannot change");
            }
            return;
        }
        Files.createDirectories(config.raftDir());
        Path tmp = file.resolveSibling("members.tmp");
        Files.write(tmp, given, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
