package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kvs.cluster.ClusterConfig;
import org.junit.jupiter.api.Test;

/** kvs-server's cluster options: what a group's command lines must say, and the errors that name what is wrong. */
class ClusterOptionsTest {

    private static final List<String> THREE = List.of("n1=127.0.0.1:4001,127.0.0.1:5001", "n2=127.0.0.1:4002,127.0.0.1:5002",
            "n3=[::1]:4003,localhost:5003");
    private static final Path RAFT = Path.of("data", "raft");

    private static ClusterOptions options(String nodeId, List<String> peers) {
        ClusterOptions o = new ClusterOptions();
        o.nodeId = nodeId;
        o.peers = new ArrayList<>(peers);
        o.clusterId = "kvs";
        o.electionTimeoutMs = 1000;
        o.snapshotEvery = ClusterConfig.DEFAULT_SNAPSHOT_EVERY;
        o.read = "linearizable";
        return o;
    }

    @Test
    void aMemberOfThree_listensOnItsPeersKvsAddress() {
        ClusterConfig c = options("n3", THREE).config(RAFT, new InetSocketAddress("127.0.0.1", 4000), false);
        assertThat(c.members()).hasSize(3);
        assertThat(c.selfMember().kvs()).isEqualTo(new InetSocketAddress("::1", 4003));
        assertThat(c.selfMember().raft().getPort()).isEqualTo(5003);
        assertThat(c.raftDir()).isEqualTo(RAFT);
        assertThat(c.snapshotEvery()).isEqualTo(100_000);
        assertThat(c.reads()).isEqualTo(ClusterConfig.Reads.LINEARIZABLE);
        ClusterOptions lease = options("n3", THREE);
        lease.read = "lease";
        assertThat(lease.config(RAFT, new InetSocketAddress("127.0.0.1", 4000), false).reads()).isEqualTo(ClusterConfig.Reads.LEASE);
    }

    @Test
    void wrongCommandLines_areRefused_sayingWhatIsWrong() {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 4000);
        assertThatThrownBy(() -> options(null, THREE).config(RAFT, any, false)).hasMessageContaining("needs --node-id");
        assertThatThrownBy(() -> options("n9", THREE).config(RAFT, any, false))
                .hasMessage("this node, 'n9', is not among the members [n1, n2, n3]");
        assertThatThrownBy(() -> options("n1", THREE.subList(0, 2)).config(RAFT, any, false))
                .hasMessageContaining("3 or 5 members").hasMessageContaining("not 2");
        assertThatThrownBy(() -> options("n1", List.of(THREE.get(0), THREE.get(0), THREE.get(1))).config(RAFT, any, false))
                .hasMessage("member 'n1' is listed twice");
        assertThatThrownBy(() -> options("n1", List.of("n1=127.0.0.1:4001", THREE.get(1), THREE.get(2))).config(RAFT, any, false))
                .hasMessageContaining("bad --peer 'n1=127.0.0.1:4001': expected ID=KVS_HOST:PORT,RAFT_HOST:PORT");
        assertThatThrownBy(() -> options("n1", List.of("n1=127.0.0.1:x,127.0.0.1:5001", THREE.get(1), THREE.get(2)))
                .config(RAFT, any, false)).hasMessageContaining("bad --peer").hasMessageContaining("the port is not a number");
        assertThatThrownBy(() -> options("n 1", List.of("n 1=127.0.0.1:4001,127.0.0.1:5001", THREE.get(1), THREE.get(2)))
                .config(RAFT, any, false)).hasMessageContaining("a member id is letters, digits");
        assertThatThrownBy(() -> options("n1", THREE).config(RAFT, any, true))
                .hasMessage("--addr 127.0.0.1:4000 is not the address --peer gives n1");
        ClusterOptions never = options("n1", THREE);
        never.snapshotEvery = 0;
        assertThatThrownBy(() -> never.config(RAFT, any, false)).hasMessage("--snapshot-every must be 1 or more, not 0");
        ClusterOptions stale = options("n1", THREE);
        stale.read = "stale";
        assertThatThrownBy(() -> stale.config(RAFT, any, false)).hasMessage("--read must be linearizable or lease, not 'stale'");
    }

    @Test
    void aShardedClusterNamesEveryMembersRespAddress() {
        List<String> withResp = List.of("n1=127.0.0.1:4001,127.0.0.1:5001,127.0.0.1:6001",
                "n2=127.0.0.1:4002,127.0.0.1:5002,127.0.0.1:6002", "n3=127.0.0.1:4003,127.0.0.1:5003,[::1]:6003");
        ClusterOptions o = options("n3", withResp);
        o.shards = 3;
        ClusterConfig c = o.config(RAFT, new InetSocketAddress("127.0.0.1", 4000), false);
        assertThat(c.selfMember().resp()).isEqualTo(new InetSocketAddress("::1", 6003));
        assertThat(c.member("n1").resp().getPort()).isEqualTo(6001);
        assertThat(options("n1", THREE).config(RAFT, new InetSocketAddress("127.0.0.1", 4000), false).selfMember().resp()).isNull();

        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 4000);
        ClusterOptions noResp = options("n1", List.of(withResp.get(0), withResp.get(1), THREE.get(2)));
        noResp.shards = 3;
        assertThatThrownBy(() -> noResp.config(RAFT, any, false))
                .hasMessage("--shards 3 needs every member's RESP address: --peer n3=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT");
        ClusterOptions none = options("n1", withResp);
        none.shards = 0;
        assertThatThrownBy(() -> none.config(RAFT, any, false)).hasMessage("--shards must be 1 to 16384, not 0");
        assertThatThrownBy(() -> options("n1", List.of("n1=127.0.0.1:4001,127.0.0.1:5001,127.0.0.1:y", THREE.get(1), THREE.get(2)))
                .config(RAFT, any, false)).hasMessageContaining("bad --peer").hasMessageContaining("the port is not a number");
    }
}
