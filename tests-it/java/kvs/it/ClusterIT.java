package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.UnknownOutcomeException;
import kvs.client.GroupClient;
import kvs.client.KvsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three kvs-server processes as one replicated group on loopback (docs/CLUSTER.md), through the kvs
 * protocol and kvs-client: a follower answers a write {@code not_leader} naming the leader; a
 * write acknowledged by the leader is read on every member; after the leader is killed with
 * SIGKILL, the two left elect another and still hold the write, and the killed member, restarted,
 * catches up. Eight clients writing through the kill lose no acknowledged write, with either
 * engine. Redis read-modify-writes go through the group; a follower whose disk was lost is sent
 * the leader's snapshot; the whole group killed at once keeps what it acknowledged.
 * ClusterNemesisIT checks linearizability while members are killed, paused and isolated.
 */
class ClusterIT {

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    private ClusterGroup group;
    private String[] kvs;
    private ServerProcess[] members;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    private void startGroup(String engine) throws IOException {
        group = new ClusterGroup(dir, logs, engine);
        kvs = group.kvs;
        members = group.members;
    }

    private static KvsClient client(String address) throws KvsException {
        return KvsClient.connect(ClusterGroup.address(address));
    }

    /** Runs kvs-client with {@code args} to its end; returns its exit code and output. */
    private static String[] kvsClient(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ServerProcess.HOME.resolve("bin").resolve("kvs-client").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kvs-client did not finish: " + cmd);
        }
        return new String[] {String.valueOf(p.exitValue()), out.strip()};
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
        startGroup("kvs");
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
        String[] view = kvsClient("--addr", String.join(",", kvs), "cluster");
        assertThat(view[0]).as(view[1]).isEqualTo("0");
        assertThat(view[1].lines()).hasSize(3).filteredOn(l -> l.contains(" leader term ")).singleElement()
                .satisfies(l -> assertThat(l).startsWith(kvs[leader] + " n" + (leader + 1) + " leader term "));

        members[leader].kill(); // SIGKILL
        int next = writeOnTheLeader("k2", "v2");
        assertThat(next).isNotEqualTo(leader);
        try (KvsClient c = client(kvs[next])) {
            assertThat(c.get("k")).as("acknowledged before the kill").hasValue("v1");
        }
        String all = kvs[leader] + "," + kvs[(next + 1) % 3 == leader ? (next + 2) % 3 : (next + 1) % 3] + "," + kvs[next];
        assertThat(kvsClient("--addr", all, "set", "k3", "v3")).as("kvs-client past a dead member and a follower")
                .containsExactly("0", "");
        assertThat(kvsClient("--addr", all, "get", "k3")).containsExactly("0", "v3");
        String[] afterKill = kvsClient("--addr", all, "cluster");
        assertThat(afterKill[0]).as("a member down").isEqualTo("1");
        assertThat(afterKill[1]).contains(kvs[leader] + " unreachable").contains(kvs[next] + " n" + (next + 1) + " leader term ");

        group.restart(leader);
        try (KvsClient c = client(kvs[leader])) {
            await("the restarted member catches up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(KvsException.class).until(() -> c.get("k2").isPresent());
            assertThat(c.get("k")).hasValue("v1");
            assertThat(c.get("k2")).hasValue("v2");
        }
    }

    /** Sends one RESP command to member {@code i}'s RESP listener; returns its reply as RESP text. */
    private String resp(int i, String... command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", members[i].respPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(RespAbuseIT.cmd(command));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * One group (mvstore engines, a snapshot every 20 entries) through three things, to start
     * three processes once: Redis read-modify-writes over RESP; a follower whose data directory
     * was removed, sent the leader's snapshot; and the whole group killed at once and restarted.
     */
    @Test
    void redisReadModifyWrites_aFollowerWhoseDiskWasLost_andAWholeGroupKill_loseNothingAcknowledged() throws Exception {
        group = new ClusterGroup(dir, logs, "mvstore", false, "--resp-addr", "127.0.0.1:0", "--snapshot-every", "20");
        kvs = group.kvs;
        members = group.members;
        int leader = writeOnTheLeader("plain", "kvs protocol");
        int follower = (leader + 1) % 3;
        for (int n = 1; n <= 5; n++) {
            assertThat(resp(leader, "INCR", "n")).isEqualTo(":" + n + "\r\n");
        }
        assertThat(resp(leader, "INCRBY", "plain", "1")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(resp(leader, "APPEND", "s", "ab")).isEqualTo(":2\r\n");
        assertThat(resp(leader, "APPEND", "s", "cd")).isEqualTo(":4\r\n");
        assertThat(resp(leader, "MSETNX", "a", "1", "b", "2")).isEqualTo(":1\r\n");
        assertThat(resp(leader, "MSETNX", "b", "x", "c", "3")).as("b is present").isEqualTo(":0\r\n");
        assertThat(resp(leader, "SET", "a", "10", "GET")).isEqualTo("$1\r\n1\r\n");
        assertThat(resp(follower, "INCR", "n")).isEqualTo("-READONLY You can't write against a read only replica.\r\n");
        for (int i = 0; i < 3; i++) {
            assertThat(resp(i, "MGET", "n", "s", "a", "b", "c", "plain")).as("on member %d", i)
                    .isEqualTo("*6\r\n$1\r\n5\r\n$4\r\nabcd\r\n$2\r\n10\r\n$1\r\n2\r\n$-1\r\n$12\r\nkvs protocol\r\n");
            assertThat(resp(i, "DBSIZE")).as("the group's own key is not counted").isEqualTo(":5\r\n");
            assertThat(resp(i, "KEYS", "*")).startsWith("*5\r\n").doesNotContain("kvs.raft");
            assertThat(resp(i, "SCAN", "0", "COUNT", "100")).contains("$5\r\nplain\r\n").doesNotContain("kvs.raft");
        }
        assertThat(resp(leader, "FLUSHDB")).isEqualTo("+OK\r\n");
        assertThat(resp(follower, "DBSIZE")).isEqualTo(":0\r\n");
        assertThat(resp(leader, "INCRBYFLOAT", "f", "1.5")).isEqualTo("$3\r\n1.5\r\n");

        aFollowerWhoseDiskWasLost_isSentTheLeadersSnapshot(leader, follower);

        for (ServerProcess m : members) { // the whole group at once: every member's SIGKILL, then every restart
            m.kill();
        }
        for (int i = 0; i < 3; i++) {
            members[i] = group.launch(i);
        }
        for (ServerProcess m : members) {
            m.awaitReady();
        }
        int restarted = writeOnTheLeader("after", "restart");
        assertThat(resp(restarted, "INCRBYFLOAT", "f", "1")).as("after the whole group's restart").isEqualTo("$3\r\n2.5\r\n");
        for (int i = 0; i < 3; i++) {
            assertThat(resp(i, "MGET", "f", "n", "big33")).isEqualTo("*3\r\n$3\r\n2.5\r\n$-1\r\n$" + ((1 << 20) + 2)
                    + "\r\n" + "v".repeat(1 << 20) + "33\r\n");
        }
    }

    /** The names of every file under {@code root}, space-separated. */
    private static String files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return String.join(" ", all.map(f -> f.getFileName().toString()).toList());
        }
    }

    /**
     * Kills {@code follower} and removes its data directory, writes 36 MiB (past Ratis's 32 MiB log
     * segment, which a purge then removes) and a removal, restarts it, and checks it was sent the
     * leader's snapshot and holds every write.
     */
    private void aFollowerWhoseDiskWasLost_isSentTheLeadersSnapshot(int leader, int follower) throws Exception {
        members[follower].kill();
        try (Stream<Path> data = Files.walk(dir.resolve("n" + (follower + 1)))) {
            for (Path f : data.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        String big = "v".repeat(1 << 20);
        try (GroupClient c = GroupClient.of(group.addresses(), KvsClient.Options.defaults())) {
            c.set("k0", "before");
            for (int i = 0; i < 36; i++) {
                c.set("big" + i, big + i);
            }
            c.remove("k0");
            Path leaderLog = dir.resolve("n" + (leader + 1)).resolve("raft");
            await("the leader's first log segment purged, after a snapshot").atMost(Duration.ofSeconds(60))
                    .until(() -> !files(leaderLog).contains("log_0-"));

            group.restart(follower);
            // The leader sends its snapshot once its log no longer reaches back to what the member had
            // (docs/CLUSTER.md, "A member whose disk was lost"): at its next snapshot and purge.
            try (KvsClient wiped = client(kvs[follower])) {
                for (int i = 0; ; i++) {
                    c.set("after" + (i % 100), big.substring(0, 1 << 16));
                    try {
                        if (wiped.get("big35").isPresent()) {
                            break;
                        }
                    } catch (KvsException e) {
                        // still loading
                    }
                    assertThat(i).as("writes before the wiped member caught up").isLessThan(2000);
                }
                assertThat(files(dir.resolve("n" + (follower + 1)).resolve("raft"))).as("a snapshot installed").contains("snapshot.");
                assertThat(wiped.get("k0")).as("removed while the member was gone").isEmpty();
                for (int i = 0; i < 36; i++) {
                    assertThat(wiped.get("big" + i)).as("big%d", i).hasValue(big + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @ValueSource(strings = {"kvs", "mvstore"})
    void eightClientsWritingWhileTheLeaderIsKilled_loseNoAcknowledgedWrite_andTheMembersAgree(String engine) throws Exception {
        startGroup(engine);
        int leader = writeOnTheLeader("warm", "up");
        List<InetSocketAddress> addresses = group.addresses();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        Map<String, String> unknown = new ConcurrentHashMap<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acks = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            String prefix = "w" + w + "-";
            writers.add(Thread.ofVirtual().start(() -> {
                try (GroupClient c = GroupClient.of(addresses, KvsClient.Options.defaults())) {
                    for (int i = 0; !stop.get(); i++) {
                        String key = prefix + i;
                        try {
                            c.set(key, "v" + i);
                            acknowledged.put(key, "v" + i);
                            acks.incrementAndGet();
                        } catch (UnknownOutcomeException e) {
                            unknown.put(key, "v" + i);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        await("writes before the kill").atMost(Duration.ofSeconds(60)).until(() -> acks.get() >= 200 || !failures.isEmpty());
        members[leader].kill(); // SIGKILL, mid-writes
        int atKill = acks.get();
        await("writes acknowledged by the new leader").atMost(Duration.ofSeconds(60))
                .until(() -> acks.get() >= atKill + 200 || !failures.isEmpty());
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        group.restart(leader);

        Map<String, Optional<String>> first = null;
        for (String member : kvs) {
            try (KvsClient c = client(member)) {
                await("caught up: " + member).atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(KvsException.class)
                        .until(() -> c.get("warm").isPresent());
                Map<String, Optional<String>> seen = new java.util.HashMap<>();
                for (String key : acknowledged.keySet()) {
                    seen.put(key, c.get(key));
                    assertThat(seen.get(key)).as("%s on %s", key, member).hasValue(acknowledged.get(key));
                }
                for (String key : unknown.keySet()) {
                    seen.put(key, c.get(key));
                    assertThat(seen.get(key)).as("%s, outcome unknown, on %s", key, member)
                            .satisfiesAnyOf(v -> assertThat(v).isEmpty(), v -> assertThat(v).hasValue(unknown.get(key)));
                }
                if (first == null) {
                    first = seen;
                } else {
                    assertThat(seen).as("%s agrees with %s", member, kvs[0]).isEqualTo(first);
                }
            }
        }
    }
}
