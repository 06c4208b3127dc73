package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MvStoreEngine's own promises beyond the contract: disk use stays near the live data, and a file
 * of the format before deadlines opens as it is.
 */
class MvStoreEngineTest {

    private static final int STRESS = Integer.getInteger("kvs.stress", 1);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void manyOverwrites_keepTheFileWithinASmallMultipleOfTheLiveData(Durability durability) throws Exception {
        int keys = 1000;
        // always fsyncs each write (about a millisecond here), so it gets fewer rounds
        int writes = (durability == Durability.ALWAYS ? 5_000 : 30_000) * STRESS;
        String value = "v".repeat(100);
        long live = keys * (long) ("key000".length() + value.length() + 6);
        Path file = dir.resolve(MvStoreEngine.FILE_NAME);
        long peak = 0;
        try (MvStoreEngine engine = MvStoreEngine.open(dir, EngineOptions.defaults().withDurability(durability))) {
            for (int i = 0; i < writes; i++) {
                engine.set(String.format("key%03d", i % keys), value + String.format("%06d", i / keys));
                if (i % 100 == 0) {
                    peak = Math.max(peak, Files.size(file));
                }
            }
        }
        // Live data in B-tree pages (a few times its size), plus the chunks of the commits since
        // the last sync (a 1000-key commit writes about 16 KiB here); without fsync-gated reuse
        // this reached 86 MB, with MVStore's default policy 330 MB.
        long bound = 16 * live + MvStoreEngine.COMMITS_PER_SYNC * (32L << 10);
        assertThat(peak).as("peak file size while writing").isLessThan(bound);
        // close() compacts for up to 2 s (measured: under 1 MB)
        assertThat(Files.size(file)).as("file size after close").isLessThan(16 * live + (2L << 20));
        try (MvStoreEngine engine = MvStoreEngine.open(dir)) {
            assertThat(engine.get("key999")).hasValue(value + String.format("%06d", (writes - 1) / keys));
        }
    }

    @Test
    void aFormat2File_servesEveryKeyAsItWas_andTakesDeadlines() throws Exception {
        try (InputStream in = MvStoreEngineTest.class.getResourceAsStream("/upgrade/format-2/mvstore/" + MvStoreEngine.FILE_NAME)) {
            Files.copy(in, dir.resolve(MvStoreEngine.FILE_NAME));
        }
        ManualClock clock = new ManualClock();
        long deadline = clock.millis() + 1000;
        EngineOptions options = EngineOptions.defaults().withClock(clock);
        try (MvStoreEngine engine = MvStoreEngine.open(dir, options)) {
            assertFixture(engine);
            assertThat(engine.size()).isEqualTo(3);
            assertThat(engine.figures().keysWithDeadline()).isZero();
            engine.set(Bytes.utf8("timed"), Bytes.utf8("t"), deadline);
        }
        try (MVStore store = MVStore.open(dir.resolve(MvStoreEngine.FILE_NAME).toString())) {
            assertThat(store.<String, Object>openMap("kvs.meta").get("format")).isEqualTo(MvStoreEngine.FORMAT);
        }
        try (MvStoreEngine engine = MvStoreEngine.open(dir, options)) {
            assertFixture(engine);
            assertThat(engine.entry(Bytes.utf8("timed"))).isEqualTo(new Entry(Bytes.utf8("t"), deadline));
            assertThat(engine.figures().keysWithDeadline()).isEqualTo(1);
            clock.set(deadline + 1);
            assertThat(engine.get(Bytes.utf8("timed"))).isNull();
        }
    }

    /** What the format-2 fixture holds (written over commit acab009's code; src/test/resources/upgrade/README.md). */
    private static void assertFixture(MvStoreEngine engine) throws Exception {
        assertThat(engine.get("text")).hasValue("é café");
        assertThat(engine.get(Bytes.wrap(new byte[] {0, (byte) 0xff, 10}))).isEqualTo(Bytes.wrap(new byte[] {(byte) 0x80, 0, 13, 10}));
        assertThat(engine.get("removed")).isEmpty();
        assertThat(engine.get("a")).hasValue("1");
        assertThat(engine.meta("note")).isEqualTo(Bytes.utf8("kept"));
        assertThat(engine.entry(Bytes.utf8("a"))).isEqualTo(Entry.of(Bytes.utf8("1")));
    }
}
