package kvs.slots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import kvs.slots.SlotMap.Range;
import kvs.store.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A sharded cluster's map of slots to shards. */
class SlotMapTest {

    @Test
    void threeShards_splitTheSlotsAsRedisClisClusterCreate() {
        SlotMap map = SlotMap.even(3);
        assertThat(map.epoch()).isEqualTo(1);
        assertThat(map.ranges(0)).containsExactly(new Range(0, 5460));
        assertThat(map.ranges(1)).containsExactly(new Range(5461, 10922));
        assertThat(map.ranges(2)).containsExactly(new Range(10923, 16383));
        assertThat(map.owner(HashSlot.of(Bytes.utf8("foo")))).as("slot 12182").isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 5, 7, 16, 100, 16_383, 16_384})
    void anEvenSplit_ownsEverySlotOnce_inRunsOfSizesThatDifferByOneAtMost(int shards) {
        SlotMap map = SlotMap.even(shards);
        int next = 0;
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int shard = 0; shard < shards; shard++) {
            List<Range> ranges = map.ranges(shard);
            assertThat(ranges).as("shard %d", shard).hasSize(1);
            assertThat(ranges.get(0).first()).as("shard %d follows the one before", shard).isEqualTo(next);
            next = ranges.get(0).last() + 1;
            smallest = Math.min(smallest, ranges.get(0).size());
            largest = Math.max(largest, ranges.get(0).size());
        }
        assertThat(next).isEqualTo(HashSlot.SLOTS);
        assertThat(largest - smallest).isLessThanOrEqualTo(1);
    }

    @Test
    void assigningSlots_makesAMapAtTheNextEpoch_andLeavesTheOldOneAsItWas() {
        SlotMap before = SlotMap.even(3);
        SlotMap after = before.assign(new Range(100, 199), 1);
        assertThat(after.epoch()).isEqualTo(2);
        assertThat(after.ranges(0)).containsExactly(new Range(0, 99), new Range(200, 5460));
        assertThat(after.ranges(1)).containsExactly(new Range(100, 199), new Range(5461, 10922));
        assertThat(before.owner(150)).isZero();
        assertThat(before).isEqualTo(SlotMap.even(3)).isNotEqualTo(after);

        SlotMap grown = after.assign(new Range(16_000, 16_383), 3);
        assertThat(grown.shards()).as("a new shard").isEqualTo(4);
        assertThat(grown.ranges(3)).containsExactly(new Range(16_000, 16_383));
        assertThat(grown.ranges(2)).containsExactly(new Range(10923, 15_999));
    }

    @Test
    void badArguments_areRefused() {
        assertThatThrownBy(() -> SlotMap.even(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlotMap.even(16_385)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Range(5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Range(0, 16_384)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlotMap.even(3).assign(new Range(0, 1), 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no shard 5");
    }

    @Test
    void aRangeReadsAsClusterNodesWritesIt() {
        assertThat(new Range(0, 5460).text()).isEqualTo("0-5460");
        assertThat(new Range(42, 42).text()).isEqualTo("42");
    }
}
