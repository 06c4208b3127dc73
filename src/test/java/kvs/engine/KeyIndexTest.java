package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import kvs.store.Entry;
import kvs.store.KeyDeadline;
import org.junit.jupiter.api.Test;

class KeyIndexTest {

    private final KeyIndex index = new KeyIndex();

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static int hash(String key) {
        byte[] b = bytes(key);
        return KeyHash.of(b, 0, b.length);
    }

    private byte[] put(KeyIndex index, String key, int file, int offset) {
        byte[] b = bytes(key);
        return index.put(KeyIndex.entry(b, 0, b.length, file, offset, 20 + b.length), hash(key));
    }

    private static void putWithDeadline(KeyIndex index, String key, int file, int offset, long deadline) {
        byte[] b = bytes(key);
        index.put(KeyIndex.entry(b, 0, b.length, file, offset, 28 + b.length, deadline), hash(key));
    }

    private byte[] put(String key, int file, int offset) {
        return put(index, key, file, offset);
    }

    private static byte[] get(KeyIndex index, String key) {
        byte[] b = bytes(key);
        return index.get(b, 0, b.length, hash(key));
    }

    private byte[] get(String key) {
        return get(index, key);
    }

    private byte[] remove(String key) {
        byte[] b = bytes(key);
        return index.remove(b, 0, b.length, hash(key));
    }

    @Test
    void entry_holdsItsLocationAndKey() {
        byte[] b = bytes("xkéy");
        byte[] e = KeyIndex.entry(b, 1, b.length - 1, 7, Integer.MAX_VALUE, 1 << 29);
        assertThat(KeyIndex.file(e)).isEqualTo(7);
        assertThat(KeyIndex.offset(e)).isEqualTo(Integer.MAX_VALUE);
        assertThat(KeyIndex.length(e)).isEqualTo(1 << 29);
        assertThat(KeyIndex.key(e).utf8()).isEqualTo("kéy");
        assertThat(KeyIndex.holds(e, b, 1, b.length - 1)).isTrue();
        assertThat(KeyIndex.holds(e, b, 0, b.length)).isFalse();
    }

    @Test
    void entryWithADeadline_holdsItsLocationKeyAndDeadline_inEightBytesMore() {
        byte[] b = bytes("xkéy");
        long deadline = 1_767_225_600_123L;
        byte[] e = KeyIndex.entry(b, 1, b.length - 1, 7, Integer.MAX_VALUE, (1 << 29) + 20, deadline);
        assertThat(KeyIndex.file(e)).isEqualTo(7);
        assertThat(KeyIndex.offset(e)).isEqualTo(Integer.MAX_VALUE);
        assertThat(KeyIndex.length(e)).isEqualTo((1 << 29) + 20);
        assertThat(KeyIndex.hasDeadline(e)).isTrue();
        assertThat(KeyIndex.deadline(e)).isEqualTo(deadline);
        assertThat(KeyIndex.key(e).utf8()).isEqualTo("kéy");
        assertThat(KeyIndex.holds(e, b, 1, b.length - 1)).isTrue();
        assertThat(KeyIndex.holds(e, b, 0, b.length)).isFalse();
        assertThat(KeyIndex.expired(e, deadline)).as("at its deadline").isFalse();
        assertThat(KeyIndex.expired(e, deadline + 1)).as("after it").isTrue();

        byte[] without = KeyIndex.entry(b, 1, b.length - 1, 7, 0, 20);
        assertThat(KeyIndex.hasDeadline(without)).isFalse();
        assertThat(KeyIndex.deadline(without)).isEqualTo(Entry.NONE);
        assertThat(KeyIndex.expired(without, Long.MAX_VALUE)).isFalse();
        assertThat(e.length - without.length).as("the bytes a deadline adds to an entry").isEqualTo(8);
        assertThat(KeyIndex.deadline(KeyIndex.entry(b, 0, 1, 1, 0, 21, Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void keysWithADeadline_areCountedThroughPutsReplacesRemovesAndRebuilds() {
        KeyIndex small = new KeyIndex(2);
        for (int i = 0; i < 100; i++) {
            putWithDeadline(small, "d" + i, i + 1, 0, 1000 + i);
            put(small, "n" + i, i + 1, 0);
        }
        assertThat(small.withDeadline()).isEqualTo(100);
        assertThat(small.size()).isEqualTo(200);
        for (int i = 0; i < 10; i++) {
            put(small, "d" + i, 1, 0); // a set without a deadline
            putWithDeadline(small, "n" + i, 1, 0, 5); // a set with one
        }
        assertThat(small.withDeadline()).as("after ten lost theirs and ten gained one").isEqualTo(100);
        for (int i = 10; i < 20; i++) {
            putWithDeadline(small, "d" + i, 2, 0, 9); // a deadline replaced by another
        }
        assertThat(small.withDeadline()).isEqualTo(100);
        for (int i = 20; i < 90; i++) {
            byte[] b = bytes("d" + i);
            small.remove(b, 0, b.length, hash("d" + i)); // enough removes to rebuild the table
        }
        assertThat(small.withDeadline()).isEqualTo(30);
        byte[] e = get(small, "d95");
        int[] slot = {-1};
        small.forEach((x, i) -> slot[0] = x == e ? i : slot[0]);
        assertThat(small.replace(e, slot[0], 40, 4)).isNotNull();
        byte[] moved = get(small, "d95");
        assertThat(KeyIndex.deadline(moved)).as("a compaction's copy keeps the deadline").isEqualTo(1095);
        assertThat(small.withDeadline()).isEqualTo(30);
        assertThat(small.removeIfStill(e, slot[0])).as("no longer its entry").isFalse();
        assertThat(small.removeIfStill(moved, slot[0])).isTrue();
        assertThat(get(small, "d95")).isNull();
        assertThat(small.withDeadline()).isEqualTo(29);
        assertThat(small.size()).isEqualTo(129);
    }

    @Test
    void removeIfStill_afterTheTableWasRebuilt_findsTheEntry_andLeavesAWrittenKeyAlone() {
        putWithDeadline(index, "k", 1, 0, 77);
        byte[] from = get("k");
        int slot = slotOf(from);
        for (int i = 0; i < 1000; i++) { // rebuilds the table several times
            put("other" + i, 1, 100 + i);
        }
        assertThat(index.removeIfStill(from, slot)).isTrue();
        assertThat(get("k")).isNull();
        assertThat(index.withDeadline()).isZero();

        putWithDeadline(index, "k", 1, 0, 77);
        byte[] old = get("k");
        putWithDeadline(index, "k", 2, 0, 77); // set again since, with the same deadline
        assertThat(index.removeIfStill(old, slotOf(get("k")))).isFalse();
        assertThat(KeyIndex.file(get("k"))).isEqualTo(2);
    }

    @Test
    void scanDeadlines_goesRoundTheTable_visitingAtMostItsShare_andFindsEveryKeyWithADeadline() {
        Map<String, Long> deadlines = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            if (i % 3 == 0) {
                putWithDeadline(index, "k" + i, 1, i, 5000 + i);
                deadlines.put("k" + i, 5000L + i);
            } else {
                put("k" + i, 1, i);
            }
        }
        int slots = 4096; // the table of 3000 keys: rebuilt to 4096 slots at the 1537th, full past 3072
        Map<String, Long> seen = new HashMap<>();
        int cursor = 0;
        int calls = 0;
        long visited = 0;
        while (visited < 2L * slots) {
            List<KeyDeadline> found = new ArrayList<>();
            int next = index.scanDeadlines(cursor, 100, 5, found);
            int step = (next - cursor) & (slots - 1);
            assertThat(step).as("slots visited by call %d", calls).isBetween(1, 100);
            assertThat(found).as("keys found by call %d", calls).hasSizeLessThanOrEqualTo(5);
            found.forEach(kd -> seen.put(kd.key().utf8(), kd.deadline()));
            visited += step;
            cursor = next;
            calls++;
        }
        assertThat(seen).as("every key with a deadline, with it, after going round").isEqualTo(deadlines);
        assertThat(index.scanDeadlines(0, Integer.MAX_VALUE, Integer.MAX_VALUE, new ArrayList<>()))
                .as("a whole round ends where it began").isZero();
    }

    @Test
    void putGetRemove_followAMap_andASetAfterARemoveTakesTheKeyBack() {
        assertThat(put("a", 1, 0)).isNull();
        byte[] first = get("a");
        assertThat(KeyIndex.file(first)).isEqualTo(1);
        assertThat(put("a", 2, 5)).isSameAs(first);
        assertThat(KeyIndex.offset(get("a"))).isEqualTo(5);
        assertThat(index.size()).isEqualTo(1);

        byte[] second = get("a");
        assertThat(remove("a")).isSameAs(second);
        assertThat(get("a")).isNull();
        assertThat(remove("a")).as("a second remove").isNull();
        assertThat(index.size()).isZero();
        assertThat(put("a", 3, 0)).as("a set after the remove replaces nothing live").isNull();
        assertThat(KeyIndex.file(get("a"))).isEqualTo(3);
        assertThat(index.size()).isEqualTo(1);
        assertThat(get("b")).isNull();
        assertThat(remove("b")).isNull();
    }

    @Test
    void replace_swapsOnlyTheEntryItWasGiven() {
        put("k", 1, 0);
        byte[] from = get("k");
        assertThat(index.replace(from, slotOf(from), 9, 100)).isNotNull();
        byte[] moved = get("k");
        assertThat(KeyIndex.file(moved)).isEqualTo(9);
        assertThat(KeyIndex.offset(moved)).isEqualTo(100);
        assertThat(KeyIndex.length(moved)).isEqualTo(KeyIndex.length(from));
        assertThat(index.replace(from, slotOf(moved), 10, 0)).as("the key moved on since").isNull();

        int slot = slotOf(moved);
        put("k", 2, 0);
        assertThat(index.replace(moved, slot, 11, 0)).as("overwritten since").isNull();
        remove("k");
        byte[] removed = KeyIndex.entry(bytes("k"), 0, 1, 2, 0, 21);
        assertThat(index.replace(removed, slot, 12, 0)).as("removed since").isNull();
        assertThat(get("k")).isNull();
    }

    @Test
    void replace_afterTheTableWasRebuilt_findsTheEntryItsSlotNoLongerHolds() {
        put("k", 1, 0);
        byte[] from = get("k");
        int slot = slotOf(from);
        for (int i = 0; i < 1000; i++) { // rebuilds the table several times
            put("other" + i, 1, 100 + i);
        }
        assertThat(index.replace(from, slot, 9, 100)).isNotNull();
        assertThat(KeyIndex.file(get("k"))).isEqualTo(9);
        for (int i = 0; i < 1000; i++) {
            assertThat(KeyIndex.offset(get("other" + i))).as("other%d", i).isEqualTo(100 + i);
        }
    }

    /** The slot forEach reports for {@code entry}. */
    private int slotOf(byte[] entry) {
        int[] slot = {-1};
        index.forEach((e, i) -> {
            if (e == entry) {
                slot[0] = i;
            }
        });
        assertThat(slot[0]).as("the entry's slot").isNotNegative();
        return slot[0];
    }

    @Test
    void growsAndDropsTombstones_keepingEveryLiveKey() {
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            put("key" + i, i, i);
        }
        for (int i = 0; i < n; i += 2) {
            remove("key" + i);
        }
        for (int round = 0; round < 3; round++) { // churn: new keys come and go, through rebuilds
            for (int i = 0; i < n / 2; i++) {
                put("tmp" + i, 0, 0);
            }
            for (int i = 0; i < n / 2; i++) {
                remove("tmp" + i);
            }
        }
        assertThat(index.size()).isEqualTo(n / 2);
        for (int i = 0; i < n; i++) {
            byte[] e = get("key" + i);
            if (i % 2 == 0) {
                assertThat(e).as("key%d", i).isNull();
            } else {
                assertThat(KeyIndex.offset(e)).as("key%d", i).isEqualTo(i);
            }
        }
        Set<String> keys = new HashSet<>();
        index.keys().forEachRemaining(k -> keys.add(k.utf8()));
        assertThat(keys).hasSize(n / 2).contains("key1", "key" + (n - 1)).doesNotContain("key0", "tmp0");
        List<byte[]> visited = new ArrayList<>();
        index.forEach((e, slot) -> visited.add(e));
        assertThat(visited).hasSize(n / 2);
    }

    @Test
    void keysThatShareAHash_areToldApartByTheirBytes() {
        KeyIndex small = new KeyIndex(2);
        Map<String, Integer> model = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            String key = "c" + (i % 37);
            byte[] b = bytes(key);
            small.put(KeyIndex.entry(b, 0, b.length, i, 0, 1), 42); // every key in one probe run
            model.put(key, i);
        }
        model.forEach((key, file) -> {
            byte[] b = bytes(key);
            assertThat(KeyIndex.file(small.get(b, 0, b.length, 42))).isEqualTo(file);
        });
    }

    /**
     * Readers racing one writer that grows, churns and rebuilds the table never miss a key that
     * stays, and never see a key's location go back in time (each set raises its offset).
     */
    @Test
    void readersRacingTheWriterThroughRebuilds_seeEveryStableKeyAndNoOldLocation() throws Exception {
        KeyIndex shared = new KeyIndex(2);
        int stable = 1000;
        for (int i = 0; i < stable; i++) {
            put(shared, "stable" + i, 1, 0);
        }
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofPlatform().name("reader-" + r).start(() -> {
                int[] seen = new int[stable];
                while (!done.get() && failures.isEmpty()) {
                    for (int i = 0; i < stable; i++) {
                        byte[] e = get(shared, "stable" + i);
                        if (e == null) {
                            failures.add("stable" + i + " missing");
                        } else if (KeyIndex.offset(e) < seen[i]) {
                            failures.add("stable" + i + " went back from " + seen[i] + " to " + KeyIndex.offset(e));
                        } else {
                            seen[i] = KeyIndex.offset(e);
                        }
                    }
                }
            }));
        }
        try {
            for (int round = 1; round <= 20 && failures.isEmpty(); round++) {
                for (int i = 0; i < 20_000; i++) {
                    put(shared, "churn" + i, round, 0);
                }
                for (int i = 0; i < stable; i++) {
                    put(shared, "stable" + i, round, round);
                }
                for (int i = 0; i < 20_000; i++) {
                    byte[] b = bytes("churn" + i);
                    shared.remove(b, 0, b.length, hash("churn" + i));
                }
            }
        } finally {
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertThat(failures).isEmpty();
        assertThat(shared.size()).isEqualTo(stable);
    }
}
