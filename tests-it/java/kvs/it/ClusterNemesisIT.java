package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import kvs.KvsException;
import kvs.check.Reliability;
import kvs.check.RegisterChecker;
import kvs.check.RegisterChecker.Op;
import kvs.client.GroupClient;
import kvs.client.KvsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizability of a group of three processes under a nemesis (issue 16, test 3): while four
 * clients run random gets, sets and removes on three keys through {@link GroupClient}, every
 * couple of seconds one member is killed with SIGKILL and restarted, paused with SIGSTOP (its
 * connections open but silent) and resumed, or isolated (its Raft links cut both ways while its
 * clients still reach it, {@link kvs.cluster.Partition}) and healed, the leader more often than
 * not. Each key's
 * history is then checked against a register ({@link RegisterChecker}); a write whose outcome
 * is unknown may have taken effect at any time after it was sent, or never, and a read that got
 * no answer is left out. Every build runs it for {@value #SECONDS} s; the reliability profile
 * three times as long.
 */
class ClusterNemesisIT {

    private static final int SECONDS = 20;
    private static final long SEED = Long.getLong("kvs.seed", System.nanoTime());
    private static final String[] KEYS = {"x", "y", "z"};

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    @Test
    void historiesOfEveryKey_areLinearizable_whileMembersAreKilledPausedAndIsolated() throws Exception {
        Map<String, List<Op>> histories = new ConcurrentHashMap<>();
        for (String key : KEYS) {
            histories.put(key, new CopyOnWriteArrayList<>());
        }
        List<String> faults = new ArrayList<>();
        AtomicInteger acknowledged = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (ClusterGroup group = new ClusterGroup(dir, logs, "kvs", true)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS * Math.min(3, Reliability.rounds(1)));
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Random random = new Random(SEED + c);
                String name = "c" + c;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (GroupClient client = GroupClient.of(group.addresses(), KvsClient.Options.defaults())) {
                        for (int n = 0; System.nanoTime() < end; n++) {
                            String key = KEYS[random.nextInt(KEYS.length)];
                            if (Nemesis.step(client, key, name + "-" + n, random.nextInt(10), histories.get(key))
                                    == Nemesis.Outcome.ACKNOWLEDGED) {
                                acknowledged.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            Random nemesis = new Random(SEED);
            for (int round = 0; System.nanoTime() < end; round++) {
                TimeUnit.MILLISECONDS.sleep(1500 + nemesis.nextInt(1500));
                int victim = nemesis.nextBoolean() ? leaderOf(group) : nemesis.nextInt(3);
                Nemesis.strike(group, victim, round, nemesis, faults);
            }
            for (Thread t : clients) {
                t.join();
            }
        }
        String context = "seed " + SEED + ", faults " + faults;
        long unknown = histories.values().stream().flatMap(List::stream).filter(op -> op.returnedNanos() == Long.MAX_VALUE).count();
        System.out.printf("ClusterNemesisIT: %s; %d operations acknowledged, %d writes of unknown outcome, histories of %s%n",
                context, acknowledged.get(), unknown, histories.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().size()).toList());
        assertThat(failures).as(context).isEmpty();
        assertThat(acknowledged.get()).as("operations acknowledged, %s", context).isGreaterThan(50);
        for (String key : KEYS) {
            assertThat(RegisterChecker.linearizable(histories.get(key)))
                    .as("key %s's history of %d operations, %s", key, histories.get(key).size(), context).isTrue();
        }
    }

    /** The member that says it is the leader, or member 0 when none answers so. */
    private static int leaderOf(ClusterGroup group) {
        for (int i = 0; i < 3; i++) {
            try (KvsClient c = KvsClient.connect(ClusterGroup.address(group.kvs[i]))) {
                if ("leader".equals(c.stats().get("cluster_role"))) {
                    return i;
                }
            } catch (KvsException e) {
                // down or paused: not this one
            }
        }
        return 0;
    }
}
