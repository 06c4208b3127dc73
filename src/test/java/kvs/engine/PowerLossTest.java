package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.check.Dirs;
import kvs.check.Reliability;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.ManualClock;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The power-loss promise, on a simulated disk ({@link PowerLossStorage}): three writers set and
 * remove their own keys while compaction runs, the process dies at a random operation (during
 * recovery, during the load, or after it), and in two cycles of three the power goes with it.
 * The store is reopened on what the disk kept. Open must succeed (unless the next crash comes
 * during it; then the attempt after must). After a power loss under {@code always}, and after a
 * process crash in every mode, every key holds its last acknowledged value or its writer's
 * single write in flight; after a power loss in the other modes a key holds nothing but its
 * value at the last open or a value written since. No key that was never written exists. Reads
 * during the load return the reader's own last write.
 * <p>
 * Deadlines are mixed in: a third of the sets have one, up to three seconds away, and the clock
 * moves up to two seconds between cycles (never during one), so keys expire while the store is
 * down, compaction drops them at any crash point, and writers remove them as the expiry cycle
 * does ({@code Write.RemoveExpired}). Each outcome above is taken as of the clock when checked:
 * a value whose deadline has passed reads as absent, so no expired key is served, and no older
 * value comes back in its place.
 * <p>
 * Crash points: 200 for {@code always} and 100 for each other mode, times
 * {@code kvs.reliability.scale} (2000 in all in the reliability profile) times {@code kvs.stress};
 * in chains of 20 on one directory. Seed: {@code -Dkvs.seed=N} replays the workload, crash points
 * and what the disk keeps; the interleaving with the compaction thread may differ. A failure
 * writes its history under target/reliability/.
 */
class PowerLossTest {

    private static final long SEED = Reliability.SEED;
    private static final int CHAIN = 20;
    private static final int WRITERS = 3;
    private static final int KEYS_PER_WRITER = 6;
    private static final EngineOptions SMALL = EngineOptions.defaults()
            .withMaxFileSize(256).withCompactionThreshold(512);

    @TempDir
    Path root;

    /** A value written, as latin-1 text, with its deadline ({@link Entry#NONE} for none). */
    private record Value(String text, long deadline) {
    }

    /** What {@code outcome} reads as at {@code now}: itself, unless its deadline has passed. */
    private static Optional<Value> visible(Optional<Value> outcome, long now) {
        return outcome.filter(v -> !Entry.expired(v.deadline, now));
    }

    /** One key, written by one writer only, so its operations are ordered. */
    private static final class Key {
        final String name;
        /** The value the last open found. */
        Optional<Value> baseline = Optional.empty();
        /** The outcome of the last acknowledged operation. */
        Optional<Value> acked = Optional.empty();
        /** The outcome of the operation that failed when the power went, if any. */
        Optional<Value> inFlight;
        /** Every outcome attempted since the last open. */
        final Set<Optional<Value>> attempted = new HashSet<>();

        Key(String name) {
            this.name = name;
        }

        /** What the key may read as at {@code now}. */
        Set<Optional<Value>> allowed(Durability durability, boolean powerLost, long now) {
            Set<Optional<Value>> allowed = new HashSet<>();
            if (durability == Durability.ALWAYS || !powerLost) {
                allowed.add(visible(acked, now));
                if (inFlight != null) {
                    allowed.add(visible(inFlight, now));
                }
            } else {
                allowed.add(visible(baseline, now));
                attempted.forEach(o -> allowed.add(visible(o, now)));
            }
            return allowed;
        }

        void reset(Optional<Value> found) {
            baseline = found;
            acked = found;
            inFlight = null;
            attempted.clear();
        }

        @Override
        public String toString() {
            return name + ": baseline " + baseline + ", acked " + acked + ", in flight " + inFlight;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final List<Key> keys = new ArrayList<>();
    private final Queue<String> history = new ConcurrentLinkedQueue<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<String> previousHistory = new ArrayList<>();
    /** Whether the power went since the last open that checked the keys. */
    private boolean powerLostSinceCheck;
    /** Operations a cycle took when the crash came after it: crash points are drawn below this. */
    private long opsPerCycle = 150;
    private int openCrashes;
    private int loadCrashes;
    private int idleCrashes;
    private int powerLosses;
    /** Keys found expired by a check: their last write's deadline had passed. */
    private int expiredAtCheck;
    /** Removals of expired keys the writers made, as the expiry cycle does. */
    private final AtomicInteger expiryRemovals = new AtomicInteger();

    @ParameterizedTest
    @EnumSource(Durability.class)
    void afterPowerLoss_openSucceeds_andKeepsWhatTheModePromises(Durability durability) throws Exception {
        int crashPoints = Reliability.rounds(durability == Durability.ALWAYS ? 200 : 100);
        EngineOptions options = SMALL.withDurability(durability).withClock(clock);
        Random random = new Random(SEED + durability.ordinal());
        for (int t = 0; t < WRITERS; t++) {
            for (int k = 0; k < KEYS_PER_WRITER; k++) {
                keys.add(new Key("w" + t + "k" + k));
            }
        }
        for (int chain = 0, point = 0; point < crashPoints; chain++) {
            keys.forEach(k -> k.reset(Optional.empty()));
            Path dir = Files.createDirectories(root.resolve("chain" + chain + "-0"));
            PowerLossStorage disk = PowerLossStorage.over(dir);
            for (int cycle = 0; cycle < CHAIN && point < crashPoints; cycle++, point++) {
                previousHistory.clear();
                previousHistory.addAll(history);
                history.clear();
                String where = "chain " + chain + " cycle " + cycle + " (" + durability + ")";
                disk.crashAt(random.nextLong(opsPerCycle + opsPerCycle / 2));
                runCycle(dir, options, disk, random.nextLong(), random.nextInt(4) == 0, where);
                history.add(disk.trace());
                if (random.nextInt(3) != 0) {
                    powerLostSinceCheck = true;
                    powerLosses++;
                    Path next = Files.createDirectories(root.resolve("chain" + chain + "-" + (cycle + 1)));
                    history.add(disk.afterPowerLoss(next, random));
                    Dirs.deleteTree(dir);
                    dir = next;
                    disk = PowerLossStorage.over(dir);
                } else {
                    history.add("the power stays on: the next process finds everything written");
                    disk.restart();
                }
                if (!failures.isEmpty()) {
                    fail(where);
                }
                clock.advance(random.nextInt(2_000)); // while the store is down: deadlines pass
            }
            Dirs.deleteTree(dir);
        }
        System.out.printf("PowerLossTest %s: %d crash points (seed %d): %d during open, %d during the load, "
                        + "%d after it; %d with a power loss; %d keys found expired, %d removed as expired%n",
                durability, crashPoints, SEED, openCrashes, loadCrashes, idleCrashes, powerLosses, expiredAtCheck,
                expiryRemovals.get());
        assertThat(openCrashes + loadCrashes + idleCrashes).isEqualTo(crashPoints);
        assertThat(expiredAtCheck).as("keys whose deadline passed while the store was down").isPositive();
    }

    /** Opens the store on what the disk kept, checks it, and runs the writers until they finish or the power goes. */
    private void runCycle(Path dir, EngineOptions options, PowerLossStorage disk, long seed, boolean closeAfterLoad,
                          String where) throws Exception {
        KvStore store;
        try {
            store = KvStore.open(dir, options, disk, /* background= */ true);
        } catch (KvsException e) {
            if (!disk.crashed()) {
                failures.add("open failed after a " + (powerLostSinceCheck ? "power loss" : "crash") + ": " + e);
                history.add(stackTrace(e));
                disk.crash();
            }
            openCrashes++;
            return;
        }
        try {
            check(store, options.durability());
            if (disk.crashed()) {
                openCrashes++; // the power went after open had read everything
                return;
            }
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                List<Key> own = keys.subList(t * KEYS_PER_WRITER, (t + 1) * KEYS_PER_WRITER);
                Random random = new Random(seed + t);
                writers.add(Thread.ofPlatform().name("writer-" + t).start(() -> write(store, own, random, where)));
            }
            for (Thread w : writers) {
                w.join();
            }
            if (disk.crashed()) {
                loadCrashes++;
            }
        } finally {
            if (!disk.crashed()) {
                opsPerCycle = Math.max(50, disk.ops());
                idleCrashes++;
                if (closeAfterLoad) {
                    closeCleanly(store, disk);
                }
                disk.crash();
            }
            try {
                store.close();
            } catch (KvsException e) {
                // the process is dead as far as the disk is concerned: closing cannot sync or write the hint
            }
        }
    }

    /**
     * A clean close syncs in every mode: what was acknowledged survives even a power loss after
     * it. The crash point may come during the close; that is a crash like any other.
     */
    private void closeCleanly(KvStore store, PowerLossStorage disk) {
        try {
            store.close();
            history.add("closed cleanly");
            keys.forEach(k -> k.reset(k.acked));
        } catch (KvsException e) {
            history.add(stackTrace(e));
            if (!disk.crashed()) {
                failures.add("close failed: " + e);
            }
        }
    }

    private void write(KvStore store, List<Key> own, Random random, String where) {
        int ops = random.nextInt(40);
        long now = clock.millis(); // the clock stands still while the writers run
        for (int i = 0; i < ops; i++) {
            Key key = own.get(random.nextInt(own.size()));
            int dice = random.nextInt(100);
            long deadline = random.nextInt(3) == 0 ? now + 1 + random.nextInt(3_000) : Entry.NONE;
            Optional<Value> outcome = dice < 70
                    ? Optional.of(new Value(key.name + "=" + where.replace(' ', '-') + "/" + i
                            + anyBytes(random, random.nextInt(60)), deadline))
                    : Optional.empty();
            if (dice >= 70 && dice < 78) {
                if (!removeExpired(store, own, now)) {
                    return;
                }
                continue;
            }
            try {
                if (dice >= 85) {
                    Optional<String> found = read(store, key.name);
                    if (!found.equals(visible(key.acked, now).map(Value::text))) {
                        failures.add("get " + key.name + " returned " + found + ", not its writer's last write " + key.acked);
                    }
                    continue;
                }
                key.attempted.add(outcome);
                if (outcome.isPresent()) {
                    store.set(Bytes.utf8(key.name), bytes(outcome.get().text()), deadline);
                } else if (!store.remove(Bytes.utf8(key.name))) {
                    throw new KeyNotFoundException();
                }
                history.add("acked " + key.name + " -> " + outcome);
                key.acked = outcome;
            } catch (KeyNotFoundException e) {
                history.add("not found " + key.name);
                if (visible(key.acked, now).isPresent()) {
                    failures.add("remove " + key.name + " found nothing, but it holds " + key.acked);
                }
                key.acked = Optional.empty(); // removed all the same if it was stored, past its deadline
            } catch (KvsException e) {
                history.add("failed " + key.name + " -> " + outcome + ": " + e.getMessage());
                key.inFlight = outcome;
                return;
            }
        }
    }

    /**
     * As the expiry cycle does: finds keys with a deadline ({@link KvStore#scanDeadlines}) and
     * removes those of this writer's whose deadline has passed, if it is still the one found.
     * Returns false if a removal failed (the power went), after noting it.
     */
    private boolean removeExpired(KvStore store, List<Key> own, long now) {
        for (KeyDeadline found : store.scanDeadlines(20)) {
            Key key = own.stream().filter(k -> Bytes.utf8(k.name).equals(found.key())).findFirst().orElse(null);
            if (key == null || !Entry.expired(found.deadline(), now)) {
                continue; // another writer's key, or one not yet expired
            }
            key.attempted.add(Optional.empty());
            try {
                Write.RemoveExpired w = Write.removeExpired(found.key(), found.deadline());
                store.writeAll(List.of(w));
                boolean removed = w.outcome().get();
                history.add("removed expired " + key.name + ": " + removed);
                if (removed) {
                    expiryRemovals.incrementAndGet();
                }
                key.acked = Optional.empty();
            } catch (KvsException e) {
                history.add("failed to remove expired " + key.name + ": " + e.getMessage());
                key.inFlight = Optional.empty();
                return false;
            }
        }
        return true;
    }

    /**
     * Text of chars 0-255, each standing for one byte of a value: NUL, 0x80-0xFF, bytes that are
     * not UTF-8, so values of any bytes go through every crash.
     */
    private static String anyBytes(Random random, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) random.nextInt(256);
        }
        return new String(c);
    }

    private static Bytes bytes(String latin1) {
        return Bytes.wrap(latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static Optional<String> read(KvStore store, String key) throws KvsException {
        return Optional.ofNullable(store.get(Bytes.utf8(key))).map(Bytes::latin1);
    }

    /** The key's value and deadline, as the store serves it now. */
    private static Optional<Value> readEntry(KvStore store, String key) throws KvsException {
        return Optional.ofNullable(store.entry(Bytes.utf8(key))).map(e -> new Value(e.value().latin1(), e.deadline()));
    }

    /** Every key holds what the durability promises; no other key exists. */
    private void check(KvStore store, Durability durability) throws KvsException {
        boolean powerLost = powerLostSinceCheck;
        powerLostSinceCheck = false;
        Set<String> names = new HashSet<>();
        for (Key key : keys) {
            names.add(key.name);
            Optional<Value> found = readEntry(store, key.name);
            if (key.acked.isPresent() && Entry.expired(key.acked.get().deadline(), clock.millis())) {
                expiredAtCheck++;
            }
            Set<Optional<Value>> allowed = key.allowed(durability, powerLost, clock.millis());
            if (!allowed.contains(found)) {
                failures.add("after a " + (powerLost ? "power loss " : "crash ") + key + " holds " + found
                        + "; allowed: " + allowed);
            }
            key.reset(found);
        }
        Set<String> unknown = new HashSet<>(store.indexSnapshot().keySet());
        unknown.removeAll(names);
        if (!unknown.isEmpty()) {
            failures.add("keys never written appeared: " + unknown);
        }
    }

    private void fail(String where) throws IOException {
        Path file = Reliability.historyFile("power-loss-" + where.replaceAll("\\W+", "-"));
        List<String> lines = new ArrayList<>();
        lines.add(where + ", " + Reliability.seed());
        lines.addAll(failures);
        lines.add("--- the cycle before, and what it left:");
        lines.addAll(previousHistory);
        lines.add("--- this cycle:");
        lines.addAll(history);
        keys.forEach(k -> lines.add(k.toString()));
        Files.write(file, lines);
        throw new AssertionError(where + ", " + Reliability.seed() + ": " + failures.get(0)
                + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "") + "; history in " + file);
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
