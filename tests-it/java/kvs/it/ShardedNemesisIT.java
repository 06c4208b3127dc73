package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import kvs.KvsException;
import kvs.check.RegisterChecker;
import kvs.check.RegisterChecker.Op;
import kvs.check.Reliability;
import kvs.client.GroupClient;
import kvs.client.KvsClient;
import kvs.slots.HashSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slots move back and forth between two shards while clients read and write their keys and a
 * nemesis strikes (issue 33): three processes with {@code --shards 3}; eight clients run random
 * gets, sets and removes through {@link GroupClient} on six keys of shard 0's highest 64 slots;
 * a mover asks a process to move those 64 slots to shard 1 and back again, over and over
 * ({@code move_slots}); every couple of seconds one process (each leads one shard, and one of
 * them the metadata group) is killed with SIGKILL and restarted, paused with SIGSTOP and
 * resumed, or isolated from the others' Raft links and healed. Each key's history is then
 * checked against a register ({@link RegisterChecker}): no acknowledged write lost, no stale
 * read, across every move. A write whose outcome is unknown may have taken effect at any time
 * after it was sent, or never; a request that got no answer, or was refused as its slot moved
 * ({@code TRYAGAIN}), had no effect. Every build runs it for {@value #SECONDS} s; the
 * reliability profile three times as long.
 */
class ShardedNemesisIT {

    private static final int SECONDS = 20;
    /** Clients, each writing and reading linearizably. */
    private static final int CLIENTS = 8;
    private static final long SEED = Long.getLong("kvs.seed", System.nanoTime());
    /** The first slot of shard 0's highest 64 (of 0-5460): the slots that move. */
    private static final int FIRST_MOVING = 5397;

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    @Test
    void historiesOfKeysInMovingSlots_areLinearizable_whileProcessesAreKilledPausedAndIsolated() throws Exception {
        List<String> keys = keysInMovingSlots(6);
        Map<String, List<Op>> histories = new ConcurrentHashMap<>();
        keys.forEach(k -> histories.put(k, new CopyOnWriteArrayList<>()));
        List<String> faults = new CopyOnWriteArrayList<>();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refusedAsMoving = new AtomicInteger();
        AtomicInteger moves = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (ClusterGroup group = ClusterGroup.sharded(dir, logs, "kvs", 3, true)) {
            try (GroupClient first = GroupClient.of(group.addresses(), KvsClient.Options.defaults())) {
                await("the shards' first leaders").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> {
                            for (String k : keys) {
                                long invoked = System.nanoTime();
                                try {
                                    first.set(k, "start-" + invoked); // a write of the history like any other
                                } catch (KvsException e) {
                                    histories.get(k).add(Op.unknown(Op.set("start-" + invoked, invoked, invoked)));
                                    throw e;
                                }
                                histories.get(k).add(Op.set("start-" + invoked, invoked, System.nanoTime()));
                            }
                            return true;
                        });
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS * Math.min(3, Reliability.rounds(1)));
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Random random = new Random(SEED + c);
                String name = "c" + c;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (GroupClient client = GroupClient.of(group.addresses(), KvsClient.Options.defaults())) {
                        for (int n = 0; System.nanoTime() < end; n++) {
                            String key = keys.get(random.nextInt(keys.size()));
                            switch (Nemesis.step(client, key, name + "-" + n, random.nextInt(10), histories.get(key))) {
                                case ACKNOWLEDGED -> acknowledged.incrementAndGet();
                                case REFUSED_AS_MOVING -> refusedAsMoving.incrementAndGet();
                                case NO_ANSWER -> { }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.add(Thread.ofVirtual().start(() -> {
                Random random = new Random(SEED - 1);
                while (System.nanoTime() < end) {
                    try (KvsClient c = KvsClient.connect(ClusterGroup.address(group.kvs[random.nextInt(3)]))) {
                        // shard 0's highest 64 to shard 1, or shard 1's lowest 64 (the same, once moved) back
                        int from = owns(c.stats().get("cluster_shard_0_slots"), FIRST_MOVING) ? 0 : 1;
                        c.moveSlots(from, 1 - from, 64);
                        moves.incrementAndGet();
                    } catch (KvsException e) {
                        // its process down, or another move under way (one its process left): the next one
                        try {
                            TimeUnit.MILLISECONDS.sleep(200);
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    }
                }
            }));
            Random nemesis = new Random(SEED);
            for (int round = 0; System.nanoTime() < end; round++) {
                TimeUnit.MILLISECONDS.sleep(1500 + nemesis.nextInt(1500));
                Nemesis.strike(group, nemesis.nextInt(3), round, nemesis, faults);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        String context = "seed " + SEED + ", faults " + faults;
        System.out.printf("ShardedNemesisIT: %s; %d moves done, %d operations acknowledged, %d refused as their slot moved, "
                        + "histories of %s%n", context, moves.get(), acknowledged.get(), refusedAsMoving.get(),
                histories.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().size()).toList());
        assertThat(failures).as(context).isEmpty();
        assertThat(acknowledged.get()).as("operations acknowledged, %s", context).isGreaterThan(50);
        assertThat(moves.get()).as("moves done, %s", context).isPositive();
        for (String key : keys) {
            assertThat(RegisterChecker.linearizable(histories.get(key)))
                    .as("key %s's history of %d operations, %s", key, histories.get(key).size(), context).isTrue();
        }
    }

    /** Whether {@code ranges} (as stats give a shard's slots: {@code 0-5396,5461-5470}) holds {@code slot}. */
    private static boolean owns(Object ranges, int slot) {
        for (String range : String.valueOf(ranges).split(",")) {
            String[] ends = range.split("-");
            if (ends[0].isEmpty()) {
                continue;
            }
            int first = Integer.parseInt(ends[0]);
            int last = ends.length > 1 ? Integer.parseInt(ends[1]) : first;
            if (first <= slot && slot <= last) {
                return true;
            }
        }
        return false;
    }

    /** {@code n} keys of the slots that move. */
    private static List<String> keysInMovingSlots(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < n; i++) {
            int slot = HashSlot.of(kvs.store.Bytes.utf8("m" + i));
            if (slot >= FIRST_MOVING && slot <= 5460) {
                keys.add("m" + i);
            }
        }
        return keys;
    }
}
