package kvs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import kvs.KvsException;
import kvs.slots.HashSlot;
import kvs.store.Store;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.statemachine.StateMachine;

/**
 * The state machines of the groups one process of a sharded cluster hosts, made as Ratis asks
 * ({@link #registry}): the metadata group's, and each shard's over the shard's engine, opened the
 * first time the shard is asked for. Each time Ratis makes a shard's division (at start, when
 * adding it, when adding it again) it gets a state machine of its own over the shard's engine;
 * the last one made is the shard's.
 */
final class ShardMachines {

    private final String clusterId;
    private final int firstShards;
    private final ShardEngines opener;
    private final ClusterConfig config;
    private final RaftGroupId metaGroup;
    private final SlotMapMachine slotMap;
    private final Map<Integer, Store> engines = new ConcurrentHashMap<>();
    private final Map<Integer, KvsStateMachine> machines = new ConcurrentHashMap<>();
    /** The shard of each group id seen, computed for every shard number once one is asked for. */
    private final Map<RaftGroupId, Integer> shardOf = new ConcurrentHashMap<>();

    /**
     * @param slotMap     the metadata group's state machine, or null in a process that joined (not its member)
     * @param firstShards how many shards the cluster started with (each owns its part of the even map at first)
     */
    ShardMachines(ClusterConfig config, int firstShards, ShardEngines opener, SlotMapMachine slotMap) {
        this.config = config;
        this.clusterId = config.clusterId();
        this.firstShards = firstShards;
        this.opener = opener;
        this.slotMap = slotMap;
        this.metaGroup = metaGroupId(clusterId);
    }

    /** The metadata group's id in cluster {@code clusterId}. */
    static RaftGroupId metaGroupId(String clusterId) {
        return groupId(clusterId + "/meta");
    }

    /** Shard {@code shard}'s group id in cluster {@code clusterId}, the same on every process. */
    static RaftGroupId shardGroupId(String clusterId, int shard) {
        return groupId(clusterId + "/shard-" + shard);
    }

    /** The Raft group id of the group named {@code name}, the same on every member. */
    static RaftGroupId groupId(String name) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    /** What Ratis asks for each group's state machine; a group neither the metadata group nor a shard's is refused. */
    StateMachine.Registry registry() {
        return id -> {
            if (id.equals(metaGroup)) {
                if (slotMap == null) {
                    throw new IllegalStateException("a process that joined the cluster is not a member of its metadata group");
                }
                return slotMap;
            }
            int shard = shardOf(id);
            Store engine = engines.computeIfAbsent(shard, this::open);
            KvsStateMachine machine = new KvsStateMachine(engine, RaftBootstrap.isNewLog(config, id),
                    SlotStates.initial(shard, firstShards));
            machines.put(shard, machine);
            return machine;
        };
    }

    private Store open(int shard) {
        try {
            Store engine = opener.open(shard);
            if (engine.watches() != opener.watches()) {
                ClusterNode.closeQuietly(engine, new IllegalStateException());
                throw new IllegalStateException("the shards' engines must share one table of watched keys (ShardEngines.watches)");
            }
            return engine;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shard " + shard + "'s engine: " + e.getMessage(), e);
        } catch (KvsException e) {
            throw new IllegalStateException("cannot open shard " + shard + "'s engine: " + e.getMessage(), e);
        }
    }

    private int shardOf(RaftGroupId id) {
        Integer shard = shardOf.get(id);
        if (shard == null) {
            for (int i = 0; i < HashSlot.SLOTS; i++) {
                shardOf.putIfAbsent(shardGroupId(clusterId, i), i);
            }
            shard = shardOf.get(id);
        }
        if (shard == null) {
            throw new IllegalArgumentException("Raft group " + id + " is none of cluster '" + clusterId + "''s");
        }
        return shard;
    }

    /** Shard {@code shard}'s engine here, or null if this process has not opened it. */
    Store engine(int shard) {
        return engines.get(shard);
    }

    /** Shard {@code shard}'s state machine here, the last Ratis made, or null. */
    KvsStateMachine machine(int shard) {
        return machines.get(shard);
    }

    /** The metadata group's state machine, or null in a process that joined. */
    SlotMapMachine slotMap() {
        return slotMap;
    }

    /** The table of watched keys the engines share. */
    kvs.store.Watches watches() {
        return opener.watches();
    }

    /** Closes every engine opened; the first failure is added to {@code failure}. */
    void closeEngines(Exception failure) {
        for (Store e : List.copyOf(engines.values())) {
            ClusterNode.closeQuietly(e, failure);
        }
    }
}
