package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.store.Bytes;
import kvs.store.Store;
import kvs.store.Watches;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process of a sharded cluster stopped before any shard elected a leader, and started again:
 * Ratis 3.3.0 reloads a group it was given at run time and stopped before its first election with
 * no members (RATIS-2661), which ShardedNode repairs by adding the group again over its
 * directory; once the other two processes start, every shard is served.
 */
class ShardedFirstStartTest {

    @TempDir
    Path dir;

    private final List<Member> members = new ArrayList<>();
    private final ShardedNode[] processes = new ShardedNode[3];

    @AfterEach
    void stopAll() throws Exception {
        for (ShardedNode p : processes) {
            if (p != null) {
                p.close();
            }
        }
    }

    private ShardedNode start(int i) throws Exception {
        Path data = dir.resolve("n" + (i + 1));
        EngineOptions options = EngineOptions.defaults().withDurability(Durability.NEVER).withCompactionExpires(false)
                .withWatches(new Watches());
        return ShardedNode.start(new ClusterConfig("n" + (i + 1), members, "first", Duration.ofMillis(500), data.resolve("raft")),
                3, new ShardEngineDirs(data.resolve("shards"), options, KvStore::open));
    }

    @Test
    void aProcessStoppedBeforeAnyElectionStartsAgainAndServesItsShards() throws Exception {
        for (int i = 0; i < 3; i++) {
            members.add(new Member("n" + (i + 1), LocalGroup.freePort(), LocalGroup.freePort(), LocalGroup.freePort()));
        }
        processes[0] = start(0); // alone: no majority, no election
        processes[0].close();
        processes[0] = start(0);
        for (int s = 0; s < 3; s++) {
            assertThat(processes[0].shard(s).division().getGroup().getPeers()).as("shard %d's members", s).hasSize(3);
        }
        processes[1] = start(1);
        processes[2] = start(2);
        await("every shard led by its first leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> processes[0].shard(0).isReadyLeader() && processes[1].shard(1).isReadyLeader()
                        && processes[2].shard(2).isReadyLeader());
        for (int s = 0; s < 3; s++) {
            Bytes key = Bytes.utf8("k" + s);
            ShardedNode owner = processes[processes[0].slots().owner(kvs.slots.HashSlot.of(key))];
            owner.set(key, Bytes.utf8("v"));
            assertThat(owner.get(key)).isEqualTo(Bytes.utf8("v"));
        }
    }
}
