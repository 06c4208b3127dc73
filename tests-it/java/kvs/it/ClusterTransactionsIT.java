package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import kvs.client.GroupClient;
import kvs.client.KvsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MULTI/EXEC/WATCH over RESP in a replicated group of three kvs-server processes: an EXEC is one
 * log entry that every member applies; a follower answers EXEC with Redis's EXECABORT READONLY; a
 * write committed through the group by a kvs-protocol client breaks a RESP client's watch on the
 * leader; and clients incrementing one counter with WATCH retries lose no increment, every member
 * holding the same final count. With either engine.
 */
class ClusterTransactionsIT {

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    private ClusterGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    /** A RESP connection to member {@code i}. */
    private Socket connect(int i) throws IOException {
        Socket s = new Socket("127.0.0.1", group.members[i].respPort());
        s.setSoTimeout(30_000);
        return s;
    }

    private static String call(Socket s, String... args) throws IOException {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        s.getOutputStream().write(b.toString().getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return reply(s.getInputStream());
    }

    /** One whole reply, as its bytes. */
    private static String reply(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).isNotEqualTo(-1);
            line.append((char) c);
        }
        String head = line.substring(0, line.length() - 1);
        StringBuilder b = new StringBuilder(head).append("\r\n");
        if (head.charAt(0) == '$' && !head.equals("$-1")) {
            b.append(new String(in.readNBytes(Integer.parseInt(head.substring(1)) + 2), StandardCharsets.UTF_8));
        } else if (head.charAt(0) == '*' && !head.equals("*-1")) {
            for (int n = Integer.parseInt(head.substring(1)); n > 0; n--) {
                b.append(reply(in));
            }
        }
        return b.toString();
    }

    /** The member whose RESP listener acknowledges a write; waits for an election. */
    private int leader() {
        int[] leader = {-1};
        await("a leader acknowledges a write over RESP").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                    for (int i = 0; i < 3; i++) {
                        try (Socket s = connect(i)) {
                            if (call(s, "SET", "probe", "1").equals("+OK\r\n")) {
                                leader[0] = i;
                                return true;
                            }
                        }
                    }
                    return false;
                });
        return leader[0];
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void transactionsAndWatches_throughTheGroup(String engine) throws Exception {
        group = new ClusterGroup(dir, logs, engine, false, "--resp-addr", "127.0.0.1:0");
        int leader = leader();
        int follower = (leader + 1) % 3;
        try (Socket s = connect(leader); Socket f = connect(follower)) {
            assertThat(call(s, "MULTI")).isEqualTo("+OK\r\n");
            assertThat(call(s, "SET", "a", "1")).isEqualTo("+QUEUED\r\n");
            assertThat(call(s, "INCR", "n")).isEqualTo("+QUEUED\r\n");
            assertThat(call(s, "INCR", "a")).isEqualTo("+QUEUED\r\n");
            assertThat(call(s, "EXEC")).isEqualTo("*3\r\n+OK\r\n:1\r\n:2\r\n");
            assertThat(call(f, "MGET", "a", "n")).isEqualTo("*2\r\n$1\r\n2\r\n$1\r\n1\r\n"); // read linearizably

            assertThat(call(f, "MULTI")).isEqualTo("+OK\r\n");
            assertThat(call(f, "SET", "a", "9")).isEqualTo("+QUEUED\r\n");
            assertThat(call(f, "EXEC"))
                    .isEqualTo("-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n");

            assertThat(call(s, "WATCH", "a")).isEqualTo("+OK\r\n");
            try (GroupClient kvs = GroupClient.of(group.addresses(), KvsClient.Options.defaults())) {
                kvs.set("a", "2"); // the same value, through the group's log
            }
            assertThat(call(s, "MULTI")).isEqualTo("+OK\r\n");
            assertThat(call(s, "SET", "a", "mine")).isEqualTo("+QUEUED\r\n");
            assertThat(call(s, "EXEC")).isEqualTo("*-1\r\n");
            assertThat(call(f, "GET", "a")).isEqualTo("$1\r\n2\r\n");
        }

        int clients = 4;
        int each = 15;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Socket s = connect(leader)) {
                    for (int i = 0; i < each; i++) {
                        boolean committed;
                        do {
                            committed = increment(s); // again after a conflict, as a client retries
                        } while (!committed);
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        String count = "$2\r\n" + clients * each + "\r\n";
        for (int i = 0; i < 3; i++) {
            try (Socket s = connect(i)) {
                assertThat(call(s, "GET", "counter")).as("member %d", i).isEqualTo(count);
            }
        }
    }

    /** One optimistic increment of "counter": WATCH, GET, MULTI, SET, EXEC; whether it committed. */
    private static boolean increment(Socket s) throws IOException {
        assertThat(call(s, "WATCH", "counter")).isEqualTo("+OK\r\n");
        String got = call(s, "GET", "counter");
        long n = got.equals("$-1\r\n") ? 0 : Long.parseLong(got.split("\r\n")[1]);
        assertThat(call(s, "MULTI")).isEqualTo("+OK\r\n");
        assertThat(call(s, "SET", "counter", Long.toString(n + 1))).isEqualTo("+QUEUED\r\n");
        String exec = call(s, "EXEC");
        assertThat(exec).isIn("*-1\r\n", "*1\r\n+OK\r\n");
        return !exec.equals("*-1\r\n");
    }
}
