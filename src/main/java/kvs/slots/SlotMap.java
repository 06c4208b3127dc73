package kvs.slots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which shard owns each of the {@link HashSlot#SLOTS} slots, at an epoch: a sharded cluster's map,
 * immutable; a change is a new map at the next epoch. Shards are numbered from 0.
 */
public final class SlotMap {

    /** A run of consecutive slots, {@code first} to {@code last} inclusive, as CLUSTER SLOTS lists them. */
    public record Range(int first, int last) {
        public Range {
            if (first < 0 || last >= HashSlot.SLOTS || first > last) {
                throw new IllegalArgumentException("not a range of slots: " + first + "-" + last);
            }
        }

        /** How many slots the range holds. */
        public int size() {
            return last - first + 1;
        }

        /**
         * The range as CLUSTER NODES writes it: {@code first-last}, or the one slot.
         *
         * @return {@code 0-5460}, or {@code 42}
         */
        public String text() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    private final long epoch;
    /** The owner of each slot. */
    private final short[] owners;
    private final int shards;

    private SlotMap(long epoch, short[] owners, int shards) {
        this.epoch = epoch;
        this.owners = owners;
        this.shards = shards;
    }

    /**
     * The first map of {@code shards} shards, at epoch 1: the slots split into as many runs of
     * consecutive slots, of sizes that differ by one at most, shard 0 first, as redis-cli's
     * {@code --cluster create} splits them (three shards: 0-5460, 5461-10922, 10923-16383).
     *
     * @param shards 1 to {@link HashSlot#SLOTS}
     * @return the map
     */
    public static SlotMap even(int shards) {
        if (shards < 1 || shards > HashSlot.SLOTS) {
            throw new IllegalArgumentException("shards must be 1 to " + HashSlot.SLOTS + ": " + shards);
        }
        short[] owners = new short[HashSlot.SLOTS];
        double perShard = (double) HashSlot.SLOTS / shards;
        int first = 0;
        double cursor = 0;
        for (int shard = 0; shard < shards; shard++) {
            int last = shard == shards - 1 ? HashSlot.SLOTS - 1 : (int) Math.round(cursor + perShard - 1);
            Arrays.fill(owners, first, last + 1, (short) shard);
            first = last + 1;
            cursor += perShard;
        }
        return new SlotMap(1, owners, shards);
    }

    /**
     * The map of epoch {@code epoch} in which slot {@code i} is owned by {@code owners[i]}, as a
     * sharded cluster's processes send it to one another.
     *
     * @param epoch  its epoch
     * @param owners the owner of each slot
     * @param shards how many shards it has (some may own no slot)
     * @return the map
     */
    public static SlotMap of(long epoch, short[] owners, int shards) {
        if (owners.length != HashSlot.SLOTS) {
            throw new IllegalArgumentException("a slot map names " + HashSlot.SLOTS + " owners, not " + owners.length);
        }
        for (short owner : owners) {
            if (owner < 0 || owner >= shards) {
                throw new IllegalArgumentException("no shard " + owner + " in a map of " + shards);
            }
        }
        return new SlotMap(epoch, owners.clone(), shards);
    }

    /**
     * This map with one more shard, which owns no slot yet, at the next epoch.
     *
     * @return the new map
     */
    public SlotMap withShard() {
        return new SlotMap(epoch + 1, owners, shards + 1);
    }

    /** The map's epoch: every change makes a map of a greater one. */
    public long epoch() {
        return epoch;
    }

    /** How many shards the map has (some may own no slot). */
    public int shards() {
        return shards;
    }

    /**
     * The shard that owns {@code slot}.
     *
     * @param slot 0 to {@link HashSlot#SLOTS} - 1
     * @return the shard's number
     */
    public int owner(int slot) {
        return owners[slot];
    }

    /**
     * The runs of consecutive slots {@code shard} owns, in order.
     *
     * @param shard a shard's number
     * @return its ranges; none if it owns no slot
     */
    public List<Range> ranges(int shard) {
        List<Range> ranges = new ArrayList<>();
        int start = -1;
        for (int slot = 0; slot <= HashSlot.SLOTS; slot++) {
            boolean owned = slot < HashSlot.SLOTS && owners[slot] == shard;
            if (owned && start < 0) {
                start = slot;
            } else if (!owned && start >= 0) {
                ranges.add(new Range(start, slot - 1));
                start = -1;
            }
        }
        return ranges;
    }

    /**
     * This map with {@code range} owned by {@code shard}, at the next epoch.
     *
     * @param range the slots that change owner
     * @param shard their new owner: an existing shard, or the next one ({@link #shards()}), which the map then has
     * @return the new map
     */
    public SlotMap assign(Range range, int shard) {
        if (shard < 0 || shard > shards) {
            throw new IllegalArgumentException("no shard " + shard + " in a map of " + shards);
        }
        short[] next = owners.clone();
        Arrays.fill(next, range.first(), range.last() + 1, (short) shard);
        return new SlotMap(epoch + 1, next, Math.max(shards, shard + 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotMap m && m.epoch == epoch && m.shards == shards && Arrays.equals(m.owners, owners);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Arrays.hashCode(owners);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("epoch " + epoch + ":");
        for (int shard = 0; shard < shards; shard++) {
            s.append(" shard ").append(shard).append(' ').append(ranges(shard));
        }
        return s.toString();
    }
}
