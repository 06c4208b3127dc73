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
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Starts a member's Ratis server: its properties (election timeout, reads, the appender's buffer,
 * snapshots and purging), its group, and the check that the group's members are the ones it
 * first started with.
 */
final class RaftBootstrap {

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
        ExitUtils.disableSystemExit(); // a port that cannot be bound is an exception here, not System.exit
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
        List<RaftPeer> peers = new ArrayList<>();
        for (Member m : config.members()) {
            peers.add(RaftPeer.newBuilder().setId(m.id()).setAddress(m.raft()).build());
        }
        RaftGroupId groupId = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(config.clusterId().getBytes(StandardCharsets.UTF_8)));
        boolean newLog = !Files.isDirectory(config.raftDir().resolve(groupId.getUuid().toString()));
        KvsStateMachine stateMachine;
        try {
            checkMembers(config);
            stateMachine = new KvsStateMachine(engine, newLog);
        } catch (IOException e) {
            ClusterNode.closeQuietly(engine, e);
            throw e;
        }
        RaftServer server = null;
        try {
            server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.self()))
                    .setGroup(RaftGroup.valueOf(groupId, peers)).setStateMachine(stateMachine)
                    .setProperties(p).setOption(RaftStorage.StartupOption.RECOVER).build();
            server.start();
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            ClusterNode.closeQuietly(engine, e);
            throw new IOException("cannot start the Raft server of '" + config.self() + "' on "
                    + HostPort.show(self.raft()) + ": " + e.getMessage(), e);
        }
        return new Started(server, stateMachine, groupId);
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
