package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.check.Dirs;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KvStore directories of format 2 ({@link KvStoreFixtures}, under
 * {@code src/test/resources/upgrade/format-2/}) open with today's code: their records and hints
 * are read as they are, the directory is marked format 3 before anything is written, and it then
 * takes keys with deadlines. Each test works on a copy.
 */
class KvStoreUpgradeTest {

    private static final String FORMAT_2 = "/upgrade/format-2";

    @TempDir
    Path tmp;

    private final ManualClock clock = new ManualClock();

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "kvs-unclosed"})
    void aDirectoryOfFormat2_servesEveryKey_becomesFormat3BeforeAWrite_andTakesDeadlines(String name) throws Exception {
        Path dir = copy(name);
        assertThat(dir.resolve(FormatFile.NAME)).hasContent("kvs-log 2");
        Map<String, byte[]> hints = hints(dir);
        EngineOptions options = EngineOptions.defaults().withClock(clock);
        long deadline = clock.millis() + 60_000;
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(dir.resolve(FormatFile.NAME)).as("marked before the first write").hasContent("kvs-log 3");
            assertHoldsTheFixture(store);
            assertThat(store.figures().keysWithDeadline()).isZero();
            store.set(Bytes.utf8("after"), Bytes.utf8("upgrade"), deadline);
        }
        Map<String, byte[]> after = hints(dir);
        for (Map.Entry<String, byte[]> h : hints.entrySet()) {
            assertThat(after.get(h.getKey())).as("format 2's hint %s, used as it is", h.getKey()).isEqualTo(h.getValue());
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertHoldsTheFixture(store);
            assertThat(store.entry(Bytes.utf8("after"))).isEqualTo(new Entry(Bytes.utf8("upgrade"), deadline));
            assertThat(store.figures().keysWithDeadline()).isEqualTo(1);
        }
    }

    /** Format 3 writes a record without a deadline as format 2 did, byte for byte. */
    @Test
    void aRecordWithoutADeadline_isFormat2sByteForByte() throws Exception {
        byte[] log = Files.readAllBytes(fixtures().resolve("kvs").resolve("0000000001.log"));
        byte[] first = KvStore.encode(Bytes.utf8("gone"), Bytes.utf8("soon removed"), Entry.NONE, false);
        assertThat(Arrays.copyOf(log, first.length)).as("the fixture's first record").isEqualTo(first);
    }

    /** A directory of a newer format than this release reads is refused, saying so, and left as it was. */
    @Test
    void aNewerFormat_isRefused_untouched() throws Exception {
        Path dir = copy("kvs");
        Files.writeString(dir.resolve(FormatFile.NAME), "kvs-log 4\n");
        Map<String, byte[]> before = files(dir);
        assertThatThrownBy(() -> KvStore.open(dir)).isInstanceOf(KvsException.class)
                .hasMessageContaining("KvStore format 4, newer than this release reads (3)");
        Map<String, byte[]> after = files(dir);
        after.remove("LOCK"); // the open's lock, taken first: not data
        assertThat(after).containsOnlyKeys(before.keySet());
        before.forEach((f, bytes) -> assertThat(after.get(f)).as(f).isEqualTo(bytes));
    }

    /** The fixtures span several log files, and the unclosed one's last has no hint: both ways of reading are used. */
    @Test
    void theFixtures_spanSeveralFiles_andTheUnclosedOnesLastIsUnhinted() throws Exception {
        assertThat(LogFiles.logIds(fixtures().resolve("kvs"))).hasSizeGreaterThan(2);
        List<Integer> unclosed = LogFiles.logIds(fixtures().resolve("kvs-unclosed"));
        assertThat(Files.exists(LogFiles.hint(fixtures().resolve("kvs-unclosed"), unclosed.getLast()))).isFalse();
    }

    private static void assertHoldsTheFixture(KvStore store) throws Exception {
        for (Map.Entry<Bytes, Bytes> e : KvStoreFixtures.expected().entrySet()) {
            assertThat(store.entry(e.getKey())).as("key %s", e.getKey()).isEqualTo(Entry.of(e.getValue()));
        }
        for (Bytes k : KvStoreFixtures.removed()) {
            assertThat(store.get(k)).as("removed key %s", k).isNull();
        }
        assertThat(store.meta(KvStoreFixtures.META_NAME)).isEqualTo(KvStoreFixtures.META_VALUE);
        assertThat(store.meta("dropped")).isNull();
        Set<Bytes> listed = new HashSet<>();
        store.keys().forEachRemaining(listed::add);
        listed.remove(Bytes.utf8("after"));
        assertThat(listed).as("the keys listed").isEqualTo(KvStoreFixtures.expected().keySet());
    }

    private static Map<String, byte[]> hints(Path dir) throws Exception {
        Map<String, byte[]> hints = files(dir);
        hints.keySet().removeIf(n -> !n.endsWith(LogFiles.HINT));
        return hints;
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** A copy of fixture directory {@code name}, to open and write. */
    private Path copy(String name) throws Exception {
        Path to = tmp.resolve(name);
        Dirs.copyTree(fixtures().resolve(name), to);
        return to;
    }

    private static Path fixtures() throws Exception {
        return Path.of(KvStoreUpgradeTest.class.getResource(FORMAT_2).toURI());
    }
}
