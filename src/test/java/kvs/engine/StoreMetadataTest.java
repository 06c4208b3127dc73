package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A store's metadata ({@link Write.Meta}, {@link Store#meta}): a namespace apart from the keys,
 * written in order with them, kept across reopening, compaction and hint files.
 */
class StoreMetadataTest {

    interface Opener {
        Store open(Path dir) throws KvsException;
    }

    static Stream<Arguments> engines() {
        return Stream.of(
                Arguments.of("kvs", (Opener) KvStore::open),
                Arguments.of("mvstore", (Opener) MvStoreEngine::open));
    }

    @TempDir
    Path dir;

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    private static List<Bytes> keys(Store store) throws KvsException {
        List<Bytes> keys = new ArrayList<>();
        store.keys().forEachRemaining(keys::add);
        return keys;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void metadata_isApartFromTheKeys_evenOfTheSameBytes_andSurvivesReopen(String name, Opener opener) throws Exception {
        try (Store store = opener.open(dir)) {
            Write.Meta applied = Write.meta("applied", b("7"));
            Write.Set sameBytes = Write.set(b("applied"), b("the user's"));
            store.writeAll(List.of(Write.set(b("k"), b("v")), applied, sameBytes));
            assertThat(applied.outcome()).isEqualTo(Outcome.done());
            assertThat(store.meta("applied")).isEqualTo(b("7"));
            assertThat(store.get(b("applied"))).isEqualTo(b("the user's"));
            assertThat(keys(store)).containsExactlyInAnyOrder(b("k"), b("applied"));
            assertThat(store.size()).isEqualTo(2);

            store.writeAll(List.of(Write.meta("applied", b("8")), Write.meta("gone", b("x"))));
            store.writeAll(List.of(Write.meta("gone", null), Write.meta("never", null)));
            assertThat(store.meta("gone")).isNull();
            assertThat(store.meta("never")).isNull();
            assertThat(store.remove(b("applied"))).isTrue();
            assertThat(store.meta("applied")).as("removing the key leaves the record").isEqualTo(b("8"));
        }
        try (Store store = opener.open(dir)) {
            assertThat(store.meta("applied")).isEqualTo(b("8"));
            assertThat(store.meta("gone")).isNull();
            assertThat(store.get(b("applied"))).isNull();
            assertThat(keys(store)).containsExactly(b("k"));
            assertThat(store.size()).isEqualTo(1);
        }
    }

    /** Compaction copies a live record of the metadata as it copies a key's, and drops a removed one with its tombstone. */
    @Test
    void kvStoresMetadata_survivesCompactionAndHintFiles() throws Exception {
        EngineOptions small = EngineOptions.defaults().withMaxFileSize(4096);
        try (KvStore store = KvStore.open(dir, small, Storage.DISK, /* background= */ false)) {
            for (int i = 0; i < 200; i++) { // overwrites, so the compaction has stale records to drop
                store.writeAll(List.of(Write.set(b("k" + (i % 10)), b("v" + i)), Write.meta("applied", b(Integer.toString(i))),
                        Write.meta("removed", i < 199 ? b("x") : null)));
            }
            store.compactNow();
            assertThat(store.meta("applied")).isEqualTo(b("199"));
            assertThat(store.meta("removed")).isNull();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(LogFiles.HINT));
        }
        try (KvStore store = KvStore.open(dir, small)) { // from the hints of the compaction's output
            assertThat(store.meta("applied")).isEqualTo(b("199"));
            assertThat(store.meta("removed")).isNull();
            assertThat(store.size()).isEqualTo(10);
            assertThat(store.get(b("k9"))).isEqualTo(b("v199"));
        }
    }
}
