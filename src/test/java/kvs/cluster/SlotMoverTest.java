package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How a move cuts its slots into runs frozen and copied together: a least number of slots, more while they hold few keys, and a bound. */
class SlotMoverTest {

    @Test
    void runsTakeTheLeastSlots_thenMoreWhileTheyHoldFewKeys_upToTheBound() {
        int[] slots = {10, 11, 12, 13, 14, 15, 16, 17};
        int[] counts = {3, 3, 0, 9, 9, 1, 0, 0};
        assertThat(SlotMover.runs(slots, counts, 1, 6, 3))
                .containsExactly(new int[] {10, 11, 12}, new int[] {13}, new int[] {14}, new int[] {15, 16, 17});
        assertThat(SlotMover.runs(slots, counts, 2, 6, 3))
                .containsExactly(new int[] {10, 11, 12}, new int[] {13, 14}, new int[] {15, 16, 17});
    }

    @Test
    void slotsWithoutKeysGoTogether_upToTheBoundOnSlots() {
        int[] slots = java.util.stream.IntStream.range(0, 2500).toArray();
        List<int[]> runs = SlotMover.runs(slots, new int[slots.length], SlotMover.RUN_MIN_SLOTS, SlotMover.RUN_KEYS,
                SlotMover.RUN_SLOTS);
        assertThat(runs).extracting(r -> r.length).containsExactly(1024, 1024, 452);
        assertThat(SlotMover.runs(new int[0], new int[0], 1, 1, 1)).isEmpty();
    }

    @Test
    void slotsOfManyKeysGoTheLeastNumberAtATime() {
        int[] slots = java.util.stream.IntStream.range(0, 200).toArray();
        int[] counts = new int[slots.length];
        java.util.Arrays.fill(counts, 1000);
        assertThat(SlotMover.runs(slots, counts, SlotMover.RUN_MIN_SLOTS, SlotMover.RUN_KEYS, SlotMover.RUN_SLOTS))
                .extracting(r -> r.length).containsExactly(64, 64, 64, 8);
    }
}
