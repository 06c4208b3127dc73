package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import kvs.store.Bytes;
import org.junit.jupiter.api.Test;

class ValueCacheTest {

    private final ValueCache cache = new ValueCache(16 << 20);

    private static int hash(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return KeyHash.local(b, 0, b.length);
    }

    private static Loc loc(int i) {
        return new Loc(1, i, 1);
    }

    @Test
    void holdsValuesUpToTheLimit_andAnswersOnlyForTheRecordTheyCameFrom() {
        Loc small = loc(1);
        Loc big = loc(2);
        cache.put(hash("a"), small, new StoredValue(Bytes.utf8("x")), 1);
        for (int miss = 0; miss < 2; miss++) { // large values: cached at the second miss
            cache.put(hash("b"), big, new StoredValue(Bytes.utf8("y".repeat(ValueCache.MAX_VALUE_BYTES))), ValueCache.MAX_VALUE_BYTES);
            cache.put(hash("c"), loc(3), new StoredValue(Bytes.utf8("z".repeat(ValueCache.MAX_VALUE_BYTES + 1))), ValueCache.MAX_VALUE_BYTES + 1);
        }
        assertThat(cache.get(hash("a"), small).bytes()).isEqualTo(Bytes.utf8("x"));
        assertThat(cache.get(hash("b"), big).bytes().length()).isEqualTo(ValueCache.MAX_VALUE_BYTES);
        assertThat(cache.get(hash("a"), loc(1))).as("another record of the same key").isNull();
        assertThat(cache.get(hash("c"), loc(3))).as("above the limit").isNull();
        assertThat(cache.bytes()).isEqualTo(1 + ValueCache.MAX_VALUE_BYTES);
    }

    @Test
    void aMovedRecord_keepsItsValue_underItsNewEntryOnly() {
        Loc original = loc(1);
        Loc copy = loc(2);
        cache.put(hash("a"), original, new StoredValue(Bytes.utf8("x")), 1);
        cache.moved(hash("a"), original, copy);
        assertThat(cache.get(hash("a"), copy).bytes()).isEqualTo(Bytes.utf8("x"));
        assertThat(cache.get(hash("a"), original)).as("the entry it was moved from").isNull();
        assertThat(cache.bytes()).isEqualTo(1);

        Loc newer = loc(3);
        cache.put(hash("a"), newer, new StoredValue(Bytes.utf8("y")), 1); // a write since
        cache.moved(hash("a"), copy, loc(4)); // a stale move: not the record cached now
        assertThat(cache.get(hash("a"), newer).bytes()).isEqualTo(Bytes.utf8("y"));
        assertThat(cache.get(hash("a"), loc(4))).isNull();
    }

    @Test
    void neverHoldsMoreThanItsBudget_andANewWorkingSetDisplacesTheOld() {
        int size = 4096;
        String value = "v".repeat(size);
        int keys = (int) (4 * cache.maxBytes() / size); // four times what fits
        for (int i = 0; i < keys; i++) {
            Loc record = loc(i);
            for (int miss = 0; miss < 2; miss++) { // each read twice, so the doorkeeper lets it in
                cache.put(hash("old" + i), record, new StoredValue(Bytes.utf8(value)), size);
                assertThat(cache.bytes()).isLessThanOrEqualTo(cache.maxBytes());
            }
        }
        assertThat(cache.bytes()).isGreaterThan(cache.maxBytes() / 2);
        Loc[] fresh = new Loc[1000]; // entries are matched by identity: keep each record's Loc
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = loc(keys + i);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < fresh.length; i++) {
                if (cache.get(hash("new" + i), fresh[i]) == null) { // as KvStore does: a miss reads, then puts
                    cache.put(hash("new" + i), fresh[i], new StoredValue(Bytes.utf8(value)), size);
                }
            }
        }
        int hits = 0;
        for (int i = 0; i < fresh.length; i++) {
            hits += cache.get(hash("new" + i), fresh[i]) != null ? 1 : 0;
        }
        assertThat(hits).as("of the new working set, cached").isGreaterThan(fresh.length * 8 / 10);
        assertThat(cache.bytes()).isLessThanOrEqualTo(cache.maxBytes());
    }

    @Test
    void aLargeValue_isCachedAtItsKeysSecondMiss_aSmallOneAtTheFirst() {
        String large = "v".repeat(ValueCache.ADMIT_AT_ONCE_BELOW);
        Loc record = loc(1);
        cache.put(hash("large"), record, new StoredValue(Bytes.utf8(large)), large.length());
        assertThat(cache.get(hash("large"), record)).as("after one miss").isNull();
        cache.put(hash("large"), record, new StoredValue(Bytes.utf8(large)), large.length());
        assertThat(cache.get(hash("large"), record).bytes()).as("after two").isEqualTo(Bytes.utf8(large));
        String small = "v".repeat(ValueCache.ADMIT_AT_ONCE_BELOW - 1);
        cache.put(hash("small"), loc(2), new StoredValue(Bytes.utf8(small)), small.length());
        assertThat(cache.get(hash("small"), loc(2))).isNull(); // another Loc: matched by identity
        Loc smallRecord = loc(3);
        cache.put(hash("small2"), smallRecord, new StoredValue(Bytes.utf8(small)), small.length());
        assertThat(cache.get(hash("small2"), smallRecord).bytes()).as("a small value, after one miss").isEqualTo(Bytes.utf8(small));
    }

    @Test
    void largeValuesReadAtRandom_fromAKeySpaceLargerThanTheCache_areRarelyAdmitted() {
        int size = 4096;
        String value = "v".repeat(size);
        int keys = (int) (16 * cache.maxBytes() / size); // sixteen times what fits
        java.util.Random random = new java.util.Random(1);
        int reads = 4 * keys;
        int admitted = 0;
        for (int n = 0; n < reads; n++) {
            int i = random.nextInt(keys);
            Loc record = loc(i);
            cache.put(hash("key" + i), record, new StoredValue(Bytes.utf8(value)), size);
            admitted += cache.get(hash("key" + i), record) != null ? 1 : 0;
        }
        // Before the doorkeeper every one was cached, evicting others; now only a key's second
        // miss within a window of 1/64 of the slots' misses is (a few percent here).
        assertThat(admitted).as("reads of %d keys whose value was cached, of %d", keys, reads).isLessThan(reads / 20);
        assertThat(cache.bytes()).isLessThanOrEqualTo(cache.maxBytes());
    }

    @Test
    void aLargerBoundHasMoreSlots_soMoreOfAKeySpaceStays() {
        assertThat(hitsAfterPutting(100_000, new ValueCache(256 << 20))).as("2^20 slots").isGreaterThan(93_000);
        assertThat(hitsAfterPutting(100_000, new ValueCache(4 << 20))).as("2^14 slots").isLessThan(20_000);
    }

    private static int hitsAfterPutting(int keys, ValueCache cache) {
        Loc[] locs = new Loc[keys];
        for (int i = 0; i < keys; i++) {
            locs[i] = loc(i);
            cache.put(hash("key:" + i), locs[i], new StoredValue(Bytes.utf8("v")), 1);
        }
        int hits = 0;
        for (int i = 0; i < keys; i++) {
            hits += cache.get(hash("key:" + i), locs[i]) != null ? 1 : 0;
        }
        return hits;
    }
}
