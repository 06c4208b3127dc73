package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.stream.Stream;

import kvs.KvsEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compaction with default options, as users of an embedded store meet it: talent-plan's own
 * {@code compaction} test, ported, and a small hot store that stays small on disk.
 */
class DefaultCompactionTest {

    @TempDir
    Path dir;

    static Stream<org.junit.jupiter.params.provider.Arguments> engines() {
        return EngineContractTest.engines();
    }

    /**
     * talent-plan project 4, {@code tests/kv_store.rs}, {@code compaction}: 1000 rounds over the
     * same 1000 keys, each key set to the round's number; passes at the first round that ends
     * with the directory no larger than after the round before, once a reopened store holds that
     * round's values. For MVStore, which compacts inside its file, "no larger" means its file
     * stopped growing because it reuses the space of overwritten pages.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void compaction_talentPlan(String name, EngineContractTest.Opener opener) throws Exception {
        KvsEngine store = opener.open(dir, EngineOptions.defaults());
        try {
            long currentSize = KvStoreTest.dirSize(dir);
            for (int iter = 0; iter < 1000; iter++) {
                for (int keyId = 0; keyId < 1000; keyId++) {
                    store.set("key" + keyId, Integer.toString(iter));
                }
                long newSize = KvStoreTest.dirSize(dir);
                if (newSize > currentSize) {
                    currentSize = newSize;
                    continue;
                }
                store.close();
                try (KvsEngine reopened = opener.open(dir, EngineOptions.defaults())) {
                    for (int keyId = 0; keyId < 1000; keyId++) {
                        assertThat(reopened.get("key" + keyId)).as("key%d after round %d", keyId, iter)
                                .hasValue(Integer.toString(iter));
                    }
                }
                return;
            }
            fail("No compaction detected: the directory grew in each of 1000 rounds, to %d bytes", currentSize);
        } finally {
            store.close();
        }
    }

    /**
     * A small hot store stays small: 200,000 overwrites of 1000 keys with 100-byte values (about
     * 118 KB of live records) keep the directory under 4 MiB after every round of 1000 writes,
     * with the default 1 MiB threshold. It holds however the compaction thread is scheduled: such a
     * store is compacted at 1 MiB of stale bytes without pacing, and writers wait at 2 MiB.
     */
    @Test
    void smallHotStore_staysUnderFourMiB_atEveryPoint() throws Exception {
        String value = "v".repeat(94);
        long peak = 0;
        try (KvStore store = KvStore.open(dir)) {
            for (int round = 0; round < 200; round++) {
                for (int k = 0; k < 1000; k++) {
                    store.set(String.format("key%03d", k), value + String.format("%06d", round));
                }
                peak = Math.max(peak, KvStoreTest.dirSize(dir));
            }
            assertThat(peak).as("the directory's largest size after any round").isLessThan(4L << 20);
            assertThat(store.compactions()).isPositive();
        }
        try (KvStore store = KvStore.open(dir)) {
            assertThat(store.get("key999")).hasValue("v".repeat(94) + "000199");
        }
    }
}
