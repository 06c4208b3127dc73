package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.client.KvsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three kvs-server processes as one replicated group on loopback (DESIGN §11), through the kvs
 * protocol: a follower answers a write {@code not_leader} naming the leader; a write acknowledged
 * by the leader is read on every member; after the leader is killed with SIGKILL, the two left
 * elect another and still hold the write, and the killed member, restarted, catches up.
 * The nemesis, partition and snapshot tests are issue 16's next steps.
 */
class ClusterIT {

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    private final String[] kvs = new String[3];
    private final List<String> peers = new ArrayList<>();
    private final ServerProcess[] members = new ServerProcess[3];

    @AfterEach
    void stop() {
        for (ServerProcess m : members) {
            if (m != null) {
                m.close();
            }
        }
    }

    private static String freeAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private ServerProcess launch(int i) throws IOException {
        List<String> args = new ArrayList<>(List.of("--node-id", "n" + (i + 1), "--election-timeout-ms", "1000"));
        for (String p : peers) {
            args.addAll(List.of("--peer", p));
        }
        Path data = Files.createDirectories(dir.resolve("n" + (i + 1)));
        return ServerProcess.launch(data, logs, args.toArray(String[]::new));
    }

    private static KvsClient client(String address) throws KvsException {
        int colon = address.lastIndexOf(':');
        return KvsClient.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
    }

    /** The member that acknowledges a write of {@code key}; waits for an election. */
    private int writeOnTheLeader(String key, String value) {
        int[] leader = {-1};
        await("a leader acknowledges " + key).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(KvsException.class).until(() -> {
                    for (int i = 0; i < 3; i++) {
                        if (members[i] == null || !members[i].process.isAlive()) {
                            continue;
                        }
                        try (KvsClient c = client(kvs[i])) {
                            c.set(key, value);
                            leader[0] = i;
                            return true;
                        } catch (NotLeaderException e) {
                            // try the next member
                        }
                    }
                    return false;
                });
        return leader[0];
    }

    @Test
    void aGroupOfThreeProcesses_replicates_followsItsLeader_andSurvivesTheLeadersKill() throws Exception {
        for (int i = 0; i < 3; i++) {
            kvs[i] = freeAddress();
            peers.add("n" + (i + 1) + "=" + kvs[i] + "," + freeAddress());
        }
        for (int i = 0; i < 3; i++) {
            members[i] = launch(i);
        }
        for (ServerProcess m : members) {
            m.awaitReady();
        }
        int leader = writeOnTheLeader("k", "v1");
        int follower = (leader + 1) % 3;
        try (KvsClient c = client(kvs[follower])) {
            assertThatThrownBy(() -> c.set("k", "not here")).isInstanceOfSatisfying(NotLeaderException.class,
                    e -> assertThat(e.leader()).hasValue(kvs[leader]));
        }
        for (String address : kvs) {
            try (KvsClient c = client(address)) {
                assertThat(c.get("k")).as("on %s", address).hasValue("v1");
            }
        }

        members[leader].kill(); // SIGKILL
        int next = writeOnTheLeader("k2", "v2");
        assertThat(next).isNotEqualTo(leader);
        try (KvsClient c = client(kvs[next])) {
            assertThat(c.get("k")).as("acknowledged before the kill").hasValue("v1");
        }

        members[leader] = launch(leader).awaitReady();
        try (KvsClient c = client(kvs[leader])) {
            await("the restarted member catches up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(KvsException.class).until(() -> c.get("k2").isPresent());
            assertThat(c.get("k")).hasValue("v1");
            assertThat(c.get("k2")).hasValue("v2");
        }
    }
}
