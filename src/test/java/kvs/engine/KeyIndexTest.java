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
        assertThat(index.replace(from, slotOf(from), 9, 100)).isTrue();
        byte[] moved = get("k");
        assertThat(KeyIndex.file(moved)).isEqualTo(9);
        assertThat(KeyIndex.offset(moved)).isEqualTo(100);
        assertThat(KeyIndex.length(moved)).isEqualTo(KeyIndex.length(from));
        assertThat(index.replace(from, slotOf(moved), 10, 0)).as("the key moved on since").isFalse();

        int slot = slotOf(moved);
        put("k", 2, 0);
        assertThat(index.replace(moved, slot, 11, 0)).as("overwritten since").isFalse();
        remove("k");
        byte[] removed = KeyIndex.entry(bytes("k"), 0, 1, 2, 0, 21);
        assertThat(index.replace(removed, slot, 12, 0)).as("removed since").isFalse();
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
        assertThat(index.replace(from, slot, 9, 100)).isTrue();
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
