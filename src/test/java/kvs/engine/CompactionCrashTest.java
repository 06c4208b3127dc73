package kvs.engine;

import static kvs.engine.PowerLossStorage.Trigger.nth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.check.Reliability;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compaction's crash points: at each named step, on the simulated disk ({@link PowerLossStorage}),
 * the process dies (with or without a power loss), or the step fails with an I/O error and the
 * store goes on. Afterwards the contents equal the model, open leaves no temporary or orphaned
 * file, a compaction run again completes and leaves no stale log, and keys removed after the
 * failure stay removed through that compaction and a reopen (no older value outlives its delete).
 * Deadlines are mixed in: a third of the sets have one, and the clock moves before each
 * compaction, so it drops expired keys (among them keys with older values, some removed and set
 * again) at every step: no key whose deadline has passed is served again, and no other is lost.
 * <p>
 * Each step and outcome runs with {@code kvs.reliability.scale} seeds (1 in every build, 5 in
 * the reliability profile) times {@code kvs.stress}. A failure names the step, the outcome and
 * the seed, and writes the disk's last operations under target/reliability/.
 */
class CompactionCrashTest {

    private final ManualClock clock = new ManualClock();
    private final EngineOptions options = EngineOptions.defaults().withDurability(Durability.ALWAYS)
            .withMaxFileSize(256).withCompactionThreshold(Long.MAX_VALUE / 4).withClock(clock);

    /** A step of compaction, as the disk operations that mark it (see Compactor#compact). */
    private record Step(String name, Supplier<PowerLossStorage.Trigger> trigger) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What happens at the step. */
    enum Outcome {
        /** The process dies and the power goes: the disk keeps only what was synced. */
        POWER_LOSS,
        /** The process dies (kill -9): the OS keeps everything written. */
        PROCESS_CRASH,
        /** The step fails with an I/O error; the store goes on. */
        IO_ERROR
    }

    private static final List<Step> STEPS = List.of(
            new Step("copying: the first output written, the second being written", () -> nth(2, "append", ".log.tmp")),
            new Step("before an output's fsync", () -> nth(1, "sync", ".log.tmp")),
            new Step("after an output's fsync", () -> nth(1, "sync", ".log.tmp").thenNext()),
            new Step("before an output hint's fsync", () -> nth(1, "sync", ".hint.tmp")),
            new Step("after an output hint's fsync", () -> nth(1, "sync", ".hint.tmp").thenNext()),
            new Step("before publishing", () -> nth(1, "move", ".log.tmp")),
            new Step("publishing: one output renamed", () -> nth(1, "move", ".log.tmp").thenNext()),
            new Step("before the publishing directory sync", () -> nth(1, "move", ".log.tmp").then(nth(1, "syncdir", ""))),
            new Step("after publishing, before the index swap",
                    () -> nth(1, "move", ".log.tmp").then(nth(1, "syncdir", "")).thenNext()),
            new Step("after the index swap, before any delete", () -> nth(1, "delete", ".hint")),
            new Step("after deleting the oldest input", () -> nth(1, "delete", ".log").then(nth(1, "syncdir", "")).thenNext()),
            new Step("after deleting some inputs", () -> nth(3, "delete", ".log").then(nth(1, "syncdir", "")).thenNext()));

    static Stream<Arguments> stepsAndOutcomes() {
        List<Arguments> cases = new ArrayList<>();
        for (int round = 0; round < Reliability.rounds(1); round++) {
            for (Step step : STEPS) {
                for (Outcome outcome : Outcome.values()) {
                    cases.add(Arguments.of(step, outcome, Reliability.SEED + round));
                }
            }
        }
        return cases.stream();
    }

    @TempDir
    Path root;

    /** Each key's value and deadline ({@link Entry#NONE} for none), as last written; present while the deadline has not passed. */
    private final Map<String, Entry> model = new TreeMap<>();
    /** The simulated disk of the store under test, for a failure's report. */
    private PowerLossStorage disk;

    @ParameterizedTest(name = "{0}: {1} (seed {2})")
    @MethodSource("stepsAndOutcomes")
    void aFailureAtAnyStep_losesNothing_resurrectsNothing_andARerunCompletes(Step step, Outcome outcome, long seed)
            throws Exception {
        try {
            run(step, outcome, new Random(seed));
        } catch (AssertionError | Exception e) {
            Path file = Reliability.historyFile("compaction-" + (step + "-" + outcome).replaceAll("\\W+", "-")
                    + "-" + (seed - Reliability.SEED));
            Files.writeString(file, step + ", " + outcome + ", seed " + seed + "\n" + disk.trace());
            throw new AssertionError(step + ", " + outcome + ", seed " + seed + "; the disk's last operations in "
                    + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A key overwritten (or removed) while a compaction runs has its new record in the active
     * file, unsynced under {@code never} and {@code everysec}; the compaction leaves the old
     * record out and deletes its input. A power loss right after, before any other sync, must
     * leave the old value or the new one, never neither.
     */
    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"NEVER", "EVERYSEC"})
    void powerLossAfterCompaction_keyWrittenDuringIt_holdsOldOrNewValue(Durability durability) throws Exception {
        EngineOptions options = EngineOptions.defaults().withDurability(durability)
                .withCompactionThreshold(Long.MAX_VALUE / 4);
        Path dir = Files.createDirectories(root.resolve("store"));
        disk = PowerLossStorage.over(dir);
        KvStore store = KvStore.open(dir, options, disk, /* background= */ false);
        try {
            store.set("kept", "old");
            store.set("overwritten", "old");
            store.set("removed", "old");
            // The first output file is created once "kept" is copied, before the other two are looked at.
            disk.runWhen(nth(1, "create", ".log.tmp"), () -> {
                store.set("overwritten", "new");
                store.remove("removed");
            });
            store.compactNow();
            assertThat(store.get("overwritten")).as("the write during the compaction").contains("new");
            disk.crash();
        } finally {
            closeQuietly(store);
        }
        Path after = Files.createDirectories(root.resolve("after"));
        disk.afterPowerLossKeepingOnlySynced(after);
        try (KvStore reopened = KvStore.open(after, options, PowerLossStorage.over(after), /* background= */ false)) {
            assertThat(reopened.get("kept")).as("kept").contains("old");
            assertThat(reopened.get("overwritten")).as("overwritten during the compaction")
                    .isIn(Optional.of("old"), Optional.of("new"));
            assertThat(reopened.get("removed")).as("removed during the compaction")
                    .isIn(Optional.of("old"), Optional.empty());
        }
    }

    private void run(Step step, Outcome outcome, Random random) throws Exception {
        Path dir = Files.createDirectories(root.resolve("store"));
        try (KvStore store = KvStore.open(dir, options)) {
            writeHistory(store, random, 400);
        }
        clock.advance(1_000); // about half the deadlines pass: the compaction drops those keys
        disk = PowerLossStorage.over(dir);
        KvStore store = KvStore.open(dir, options, disk, /* background= */ true);
        try {
            if (outcome == Outcome.IO_ERROR) {
                disk.failWhen(step.trigger().get());
            } else {
                disk.crashWhen(step.trigger().get());
            }
            assertThatThrownBy(store::compactNow).as("compaction failing at '%s'", step).isInstanceOf(KvsException.class);
            assertThat(disk.crashed() || disk.faults() == 1).as("the step was reached").isTrue();
            if (outcome == Outcome.IO_ERROR) {
                assertContents(store, "the store going on after the failure");
                afterTheFailure(store, random, dir);
                store.close();
                store = KvStore.open(dir, options, disk, /* background= */ true);
                assertContents(store, "after reopening");
                assertNoLeftovers(dir);
                store.close();
                return;
            }
        } finally {
            closeQuietly(store);
        }
        if (outcome == Outcome.POWER_LOSS) {
            Path after = Files.createDirectories(root.resolve("after"));
            disk.afterPowerLoss(after, random);
            dir = after;
            disk = PowerLossStorage.over(after);
        } else {
            disk.restart();
        }
        try (KvStore reopened = KvStore.open(dir, options, disk, /* background= */ true)) {
            assertContents(reopened, "after the crash");
            assertNoLeftovers(dir);
            afterTheFailure(reopened, random, dir);
        }
        try (KvStore reopened = KvStore.open(dir, options)) {
            assertContents(reopened, "after the crash, a rerun and another open");
        }
    }

    /**
     * Removes and overwrites keys whose old values the failed compaction may have left behind,
     * lets more deadlines pass, then compacts again: it leaves every key present and no other.
     */
    private void afterTheFailure(KvStore store, Random random, Path dir) throws Exception {
        List<String> keys = new ArrayList<>(model.keySet());
        for (String key : keys) {
            if (random.nextBoolean()) {
                store.remove(Bytes.utf8(key));
                model.remove(key);
            } else if (random.nextInt(3) == 0) {
                set(store, random, key, key + "-after-" + random.nextInt(1000));
            }
        }
        clock.advance(1_000);
        store.compactNow();
        assertContents(store, "after compacting again");
        assertThat(store.indexSnapshot().keySet()).as("the keys stored after compacting again: those present")
                .isEqualTo(present());
        assertNoStaleLogs(store, dir);
    }

    private void writeHistory(KvStore store, Random random, int writes) throws KvsException {
        for (int i = 0; i < writes; i++) {
            String key = "key" + random.nextInt(40);
            if (random.nextInt(5) == 0 && model.containsKey(key)) {
                store.remove(Bytes.utf8(key));
                model.remove(key);
            } else {
                set(store, random, key, key + "=" + i + "x".repeat(random.nextInt(50)));
            }
        }
    }

    /** Sets {@code key}, in one case of three with a deadline up to two seconds away. */
    private void set(KvStore store, Random random, String key, String value) throws KvsException {
        long deadline = random.nextInt(3) == 0 ? clock.millis() + 1 + random.nextInt(2_000) : Entry.NONE;
        store.set(Bytes.utf8(key), Bytes.utf8(value), deadline);
        model.put(key, new Entry(Bytes.utf8(value), deadline));
    }

    /** The keys of the model whose deadline has not passed. */
    private Set<String> present() {
        Set<String> present = new TreeSet<>();
        model.forEach((k, e) -> {
            if (!e.expiredAt(clock.millis())) {
                present.add(k);
            }
        });
        return present;
    }

    /**
     * Every key present holds its value and deadline, no other is served; the keys stored are
     * those present and perhaps some whose deadline has passed (a compaction cut short may not
     * have dropped them), none else.
     */
    private void assertContents(KvStore store, String when) throws KvsException {
        Set<String> present = present();
        for (int k = 0; k < 40; k++) {
            String key = "key" + k;
            Entry expected = present.contains(key) ? model.get(key) : null;
            assertThat(store.entry(Bytes.utf8(key))).as("%s: %s", when, key).isEqualTo(expected);
        }
        Set<String> stored = store.indexSnapshot().keySet();
        assertThat(stored).as("%s: the keys stored", when).containsAll(present);
        assertThat(model.keySet()).as("%s: the keys stored are the model's", when).containsAll(stored);
    }

    /** Open removed every temporary file and every hint without its log. */
    private static void assertNoLeftovers(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertThat(names).as("files after open").noneMatch(n -> n.endsWith(LogFiles.TMP));
        for (String n : names) {
            if (n.endsWith(LogFiles.HINT)) {
                assertThat(names).as("the log of " + n).contains(n.replace(LogFiles.HINT, LogFiles.LOG));
            }
        }
    }

    /** After a completed compaction (and nothing written since), every log but the active one holds a live record. */
    private static void assertNoStaleLogs(KvStore store, Path dir) throws IOException {
        Set<Integer> live = new HashSet<>();
        store.indexSnapshot().values().forEach(loc -> live.add(loc.file()));
        List<Integer> ids = LogFiles.logIds(dir);
        int active = ids.get(ids.size() - 1);
        assertThat(ids.subList(0, ids.size() - 1)).as("sealed logs after a completed compaction (active: %d); live in %s",
                active, live).allMatch(live::contains);
    }

    private static void closeQuietly(KvStore store) {
        try {
            store.close();
        } catch (KvsException e) {
            // the process is dead as far as the disk is concerned
        }
    }
}
