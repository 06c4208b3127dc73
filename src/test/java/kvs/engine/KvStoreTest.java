package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import kvs.store.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KvStore's own promises: compaction, recovery from torn tails and corruption, hint files. */
class KvStoreTest {

    private static final int STRESS = Integer.getInteger("kvs.stress", 1);
    private static final EngineOptions SMALL = EngineOptions.defaults()
            .withCompactionThreshold(16 << 10).withMaxFileSize(64 << 10);

    @TempDir
    Path dir;

    /** Copies of {@link #dir} for destructive experiments. */
    @TempDir
    Path scratch;

    @Test
    void overwrites_shrinkTheDirectory_andEveryKeySurvivesReopen() throws Exception {
        String value = "v".repeat(100);
        long peak = 0;
        boolean shrank = false;
        int round = 0;
        try (KvStore store = KvStore.open(dir, SMALL)) {
            while (!shrank && round < 500) {
                for (int k = 0; k < 1000; k++) {
                    store.set("key" + k, value + round);
                }
                long size = dirSize(dir);
                shrank = size < peak;
                peak = Math.max(peak, size);
                round++;
            }
            assertThat(shrank).as("directory shrank within %d rounds of 1000 overwrites", round).isTrue();
        }
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int k = 0; k < 1000; k++) {
                assertThat(store.get("key" + k)).hasValue(value + (round - 1));
            }
        }
    }

    /**
     * Stale bytes between half the live bytes and all of them do not start a compaction while
     * writes go on, but a store at rest settles: it compacts, and keeps under 1.5 times its live data.
     */
    @Test
    void atRest_staleBytesAboveHalfTheLiveOnes_areCompactedAway() throws Exception {
        String value = "v".repeat(100);
        long live = 1000L * Record.length("key000".length(), value.length() + 1);
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int i = 0; i < 1000; i++) {
                store.set(String.format("key%03d", i), value + "a");
            }
            for (int i = 0; i < 600; i++) { // stale: 0.6 of the live bytes
                store.set(String.format("key%03d", i), value + "b");
            }
            assertThat(dirSize(dir)).as("before it settles").isGreaterThan(live + live / 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> store.compactions() > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> dirSize(dir) < live + live / 2);
            assertThat(store.get("key000")).hasValue(value + "b");
            assertThat(store.get("key999")).hasValue(value + "a");
        }
    }

    @Test
    void manyOverwrites_keepTheDirectorySmall() throws Exception {
        int writes = 200_000 * STRESS;
        String value = "v".repeat(100);
        long live = 1000L * Record.length("key000".length(), value.length() + 6);
        // docs/STORAGE.md, "Compaction": about twice the live data plus the threshold and one file, plus hint files.
        long bound = 3 * live + SMALL.compactionThreshold() + SMALL.maxFileSize();
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int i = 0; i < writes; i++) {
                store.set(String.format("key%03d", i % 1000), value + String.format("%06d", i / 1000));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> dirSize(dir) <= bound);
            assertThat(store.compactions()).isPositive();
        }
        try (KvStore store = KvStore.open(dir, SMALL)) {
            assertThat(store.get("key999")).hasValue(value + String.format("%06d", (writes - 1) / 1000));
        }
    }

    @Test
    void readersDuringCompaction_neverSeeMissingOrStaleValues() throws Exception {
        int keys = 200;
        AtomicIntegerArray acked = new AtomicIntegerArray(keys);
        AtomicBoolean stop = new AtomicBoolean();
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int k = 0; k < keys; k++) {
                store.set("key" + k, "0");
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int version = 1; !stop.get(); version++) {
                        for (int k = 0; k < keys; k++) {
                            store.set("key" + k, Integer.toString(version));
                            acked.set(k, version);
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            try {
                EngineContractTest.runAll(4, false, t -> {
                    for (int i = 0; store.compactions() < 5 && i < 5_000_000; i++) {
                        int k = (i * 7 + t) % keys;
                        int floor = acked.get(k);
                        Optional<String> v = store.get("key" + k);
                        assertThat(v).as("key%d", k).isPresent();
                        assertThat(Integer.parseInt(v.get())).as("key%d", k).isGreaterThanOrEqualTo(floor);
                    }
                });
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(store.compactions()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void repeatedReads_followEveryOverwriteRemoveAndCompaction() throws Exception {
        int keys = 300;
        Map<String, String> model = new HashMap<>();
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int round = 0; round < 40 || store.compactions() < 2; round++) {
                for (int k = 0; k < keys; k++) {
                    String key = "key" + k;
                    // every third value is too big for the value cache, so both read paths are exercised
                    String value = (k % 3 == 0 ? "x".repeat(ValueCache.MAX_VALUE_BYTES) : "") + round + "/" + k;
                    if ((k + round) % 5 == 0) {
                        if (model.remove(key) != null) {
                            store.remove(key);
                        }
                    } else {
                        store.set(key, value);
                        model.put(key, value);
                    }
                    for (int read = 0; read < 2; read++) {
                        assertThat(store.get(key)).as("%s, round %d", key, round).isEqualTo(Optional.ofNullable(model.get(key)));
                    }
                }
            }
            assertThat(store.compactions()).isGreaterThanOrEqualTo(2);
        }
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int k = 0; k < keys; k++) {
                assertThat(store.get("key" + k)).as("key%d after reopen", k).isEqualTo(Optional.ofNullable(model.get("key" + k)));
            }
        }
    }

    @Test
    void truncatedNewestFile_atEveryOffset_keepsExactlyTheWholeRecords() throws Exception {
        try (KvStore store = KvStore.open(dir)) {
            store.set("a", "base-a");
            store.set("b", "base-b");
            store.set("c", "base-c");
        }
        // The next open starts a new file: these records are the newest file's whole content.
        List<String[]> tail = List.of(
                new String[] {"a", "tail-a1"}, new String[] {"b", null}, new String[] {"d", "tail-d"},
                new String[] {"a", "tail-a2"});
        try (KvStore store = KvStore.open(dir)) {
            for (String[] op : tail) {
                if (op[1] == null) {
                    store.remove(op[0]);
                } else {
                    store.set(op[0], op[1]);
                }
            }
        }
        List<Integer> ids = LogFiles.logIds(dir);
        int newest = ids.get(ids.size() - 1);
        long size = Files.size(LogFiles.log(dir, newest));
        for (long cut = 0; cut <= size; cut++) {
            Path copy = Files.createDirectory(scratch.resolve("cut" + cut));
            copyDir(dir, copy);
            // A crash tears the active file, which has no hint yet (a clean close writes one, and
            // a hinted log found shorter is corruption: CorruptionTest).
            Files.deleteIfExists(LogFiles.hint(copy, newest));
            try (RandomAccessFile f = new RandomAccessFile(LogFiles.log(copy, newest).toFile(), "rw")) {
                f.setLength(cut);
            }
            Map<String, String> expected = new HashMap<>(Map.of("a", "base-a", "b", "base-b", "c", "base-c"));
            long end = 0;
            for (String[] op : tail) {
                end += Record.length(op[0].length(), op[1] == null ? Record.TOMBSTONE : op[1].length());
                if (end <= cut) {
                    if (op[1] == null) {
                        expected.remove(op[0]);
                    } else {
                        expected.put(op[0], op[1]);
                    }
                }
            }
            try (KvStore store = KvStore.open(copy)) {
                assertContents(store, expected, "cut at " + cut);
                store.set("after", "cut" + cut);
            }
            expected.put("after", "cut" + cut);
            try (KvStore store = KvStore.open(copy)) {
                assertContents(store, expected, "reopen after cut at " + cut);
            }
        }
    }

    private static void assertContents(KvStore store, Map<String, String> expected, String what) throws Exception {
        for (String key : List.of("a", "b", "c", "d", "after")) {
            assertThat(store.get(key)).as("%s: key %s", what, key).isEqualTo(Optional.ofNullable(expected.get(key)));
        }
    }

    @Test
    void flippedByteInSealedFile_isReportedNeverReturned() throws Exception {
        Map<String, String> values = fillSeveralFiles(dir);
        int sealed = LogFiles.logIds(dir).get(0);
        Path file = LogFiles.log(dir, sealed);
        String key = "key0600"; // written once, into the first file
        long offset = offsetOf(file, key);
        flip(file, offset + Record.HEADER + key.length() + 3); // a byte of its value
        EngineOptions options = SMALL.withCompactionThreshold(1L << 40);

        // With its hint the file opens, but the damaged record fails its checksum when read.
        try (KvStore store = KvStore.open(dir, options)) {
            assertThatThrownBy(() -> store.get(key)).isInstanceOf(CorruptionException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("offset " + offset);
            assertThat(store.get("key0601")).hasValue(values.get("key0601"));
        }
        // Without it the scan finds the bad record: open fails naming the file and offset.
        Files.delete(LogFiles.hint(dir, sealed));
        assertThatThrownBy(() -> KvStore.open(dir, options)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("at offset " + offset);
        // Salvage keeps every valid record and drops the bad one.
        try (KvStore store = KvStore.open(dir, options.withSalvage(true))) {
            assertThat(store.get(key)).isEmpty();
            for (Map.Entry<String, String> e : values.entrySet()) {
                if (!e.getKey().equals(key)) {
                    assertThat(store.get(e.getKey())).as(e.getKey()).hasValue(e.getValue());
                }
            }
        }
    }

    private static long offsetOf(Path file, String key) throws Exception {
        long[] found = {-1};
        LogScanner.scan(Storage.DISK, file, /* newest= */ false, /* salvage= */ false, e -> {
            if (new String(e.bytes(), e.start() + Record.HEADER, e.keyLength(), StandardCharsets.UTF_8).equals(key)) {
                found[0] = e.offset();
            }
        });
        assertThat(found[0]).as("offset of %s in %s", key, file).isNotNegative();
        return found[0];
    }

    @Test
    void flippedLengthByte_inNewestFileFollowedByValidRecords_isCorruptionNotATornTail() throws Exception {
        try (KvStore store = KvStore.open(dir)) {
            for (int i = 0; i < 10; i++) {
                store.set("k" + i, "value" + i);
            }
        }
        List<Integer> ids = LogFiles.logIds(dir);
        int newest = ids.get(ids.size() - 1);
        Files.delete(LogFiles.hint(dir, newest));
        flip(LogFiles.log(dir, newest), 5); // the first record's key length
        assertThatThrownBy(() -> KvStore.open(dir)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("offset 0").hasMessageContaining("followed by valid records");
    }

    @Test
    void hintFiles_yieldTheSameIndexAsAFullScan() throws Exception {
        fillSeveralFiles(dir);
        Map<String, Loc> fromHints;
        try (KvStore store = KvStore.open(dir, SMALL)) {
            fromHints = store.indexSnapshot();
        }
        List<Path> hints = LogFiles.withSuffix(dir, LogFiles.HINT);
        assertThat(hints).hasSizeGreaterThan(1);
        for (Path h : hints) {
            Files.delete(h);
        }
        try (KvStore store = KvStore.open(dir, SMALL)) {
            assertThat(store.indexSnapshot()).isEqualTo(fromHints).isNotEmpty();
        }
        // The scan wrote the hints back.
        assertThat(LogFiles.withSuffix(dir, LogFiles.HINT)).hasSizeGreaterThanOrEqualTo(hints.size());
    }

    /** Keys and values of any bytes come through compaction, hint files and a full scan unchanged. */
    @Test
    void binaryPairs_surviveCompaction_hintFiles_andAFullScan() throws Exception {
        java.util.Random random = new java.util.Random(28);
        Map<Bytes, Bytes> model = new HashMap<>();
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 300; i++) {
                    byte[] k = {(byte) i, (byte) 0xFF, 0, (byte) (i >> 8)};
                    byte[] v = new byte[random.nextInt(200)];
                    random.nextBytes(v);
                    if (round == 2 && i % 7 == 0) {
                        store.remove(Bytes.wrap(k));
                        model.remove(Bytes.wrap(k));
                    } else {
                        store.set(Bytes.wrap(k), Bytes.wrap(v));
                        model.put(Bytes.wrap(k.clone()), Bytes.wrap(v.clone()));
                    }
                }
            }
            store.compactNow();
            assertThat(store.compactions()).isPositive();
            assertHolds(store, model);
        }
        try (KvStore store = KvStore.open(dir, SMALL)) { // from the hints
            assertHolds(store, model);
        }
        for (Path h : LogFiles.withSuffix(dir, LogFiles.HINT)) {
            Files.delete(h);
        }
        try (KvStore store = KvStore.open(dir, SMALL)) { // from a full scan
            assertHolds(store, model);
        }
    }

    /**
     * A compaction keeps the cached values of the records it moves: reads after it are served from
     * memory, not from the copies. Shown by damaging every copy on disk: the cached keys still read
     * their values, while a key whose value was never cached (a large one, written once) reads the
     * damage and reports it.
     */
    @Test
    void valuesCachedBeforeACompaction_areServedFromMemoryAfterIt() throws Exception {
        Bytes cold = Bytes.utf8("cold");
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 200; i++) {
                    store.set(Bytes.utf8("key" + i), Bytes.utf8("value" + round + "-" + i)); // cached as written
                }
            }
            store.set(cold, Bytes.utf8("x".repeat(ValueCache.ADMIT_AT_ONCE_BELOW))); // a large value: cached at its second miss
            store.compactNow();
            assertThat(store.compactions()).isPositive();
            for (Path log : LogFiles.withSuffix(dir, LogFiles.LOG)) {
                try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
                    byte[] damage = new byte[(int) f.length()];
                    java.util.Arrays.fill(damage, (byte) 0x55);
                    f.write(damage);
                }
            }
            for (int i = 0; i < 200; i++) {
                assertThat(store.get(Bytes.utf8("key" + i))).as("key%d", i).isEqualTo(Bytes.utf8("value2-" + i));
            }
            assertThatThrownBy(() -> store.get(cold)).as("read from the damaged copy").isInstanceOf(CorruptionException.class);
        }
    }

    private static void assertHolds(KvStore store, Map<Bytes, Bytes> model) throws Exception {
        assertThat(store.size()).isEqualTo(model.size());
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            assertThat(store.get(e.getKey())).as("key %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void badHintFile_fallsBackToScanning() throws Exception {
        Map<String, String> values = fillSeveralFiles(dir);
        for (Path h : LogFiles.withSuffix(dir, LogFiles.HINT)) {
            flip(h, Files.size(h) / 2);
        }
        try (KvStore store = KvStore.open(dir, SMALL)) {
            for (Map.Entry<String, String> e : values.entrySet()) {
                assertThat(store.get(e.getKey())).hasValue(e.getValue());
            }
        }
    }

    @Test
    void leftoversOfAnInterruptedCompaction_areRemovedOnOpen() throws Exception {
        Map<String, String> values = fillSeveralFiles(dir);
        Path tmp = LogFiles.tmp(LogFiles.log(dir, 999_999));
        Files.write(tmp, new byte[100]);
        Path orphanHint = LogFiles.hint(dir, 999_998);
        Files.write(orphanHint, new byte[30]);
        try (KvStore store = KvStore.open(dir, SMALL)) {
            assertThat(tmp).doesNotExist();
            assertThat(orphanHint).doesNotExist();
            assertThat(store.get("key0005")).hasValue(values.get("key0005"));
        }
    }

    /** Writes about 200 KB across several 64 KiB files and closes; returns what was written. */
    private static Map<String, String> fillSeveralFiles(Path dir) throws Exception {
        Map<String, String> values = new HashMap<>();
        EngineOptions noCompaction = SMALL.withCompactionThreshold(1L << 40);
        try (KvStore store = KvStore.open(dir, noCompaction)) {
            for (int i = 0; i < 2000; i++) {
                String key = String.format("key%04d", i % 1500);
                String value = "value-" + i + "-" + "x".repeat(80);
                store.set(key, value);
                values.put(key, value);
            }
            for (int i = 0; i < 100; i += 10) {
                store.remove(String.format("key%04d", 1000 + i));
                values.remove(String.format("key%04d", 1000 + i));
            }
        }
        assertThat(LogFiles.logIds(dir)).hasSizeGreaterThan(2);
        return values;
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }

    static long dirSize(Path dir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    total += Files.size(p);
                } catch (java.nio.file.NoSuchFileException e) {
                    // deleted by compaction while listing: it no longer counts
                }
            }
        }
        return total;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(from)) {
            s.forEach(files::add);
        }
        for (Path p : files) {
            Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    @Test
    void always_syncsOncePerCommit_andConcurrentWritersShareThem() throws Exception {
        EngineOptions always = EngineOptions.defaults().withDurability(Durability.ALWAYS);
        try (KvStore store = KvStore.open(dir, always)) {
            for (int i = 0; i < 20; i++) {
                store.set("k" + i, "v");
            }
            assertThat(store.commitSyncs()).as("one writer: an fsync per set").isEqualTo(20);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int id = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        try {
                            store.set("w" + id + "/" + i, "v");
                        } catch (kvs.KvsException e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            for (Thread w : writers) {
                w.join();
            }
            long syncs = store.commitSyncs() - 20;
            assertThat(syncs).as("16 x 50 concurrent sets").isPositive().isLessThanOrEqualTo(800);
            assertThat(store.get("w15/49")).hasValue("v");
        }
    }
}
