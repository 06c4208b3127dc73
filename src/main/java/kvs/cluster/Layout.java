package kvs.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kvs.slots.HashSlot;
import kvs.slots.SlotMap;

/**
 * A sharded cluster as its metadata group holds it: the slot map, each shard's members (the
 * member expected to lead it first), and the move of slots under way, if any. Immutable; every
 * change is a new layout. A process that is not a member of the metadata group (one that joined
 * the cluster later) reads it whole ({@link #encode}, {@link #decode}).
 *
 * @param map    which shard owns each slot, at its epoch
 * @param shards each shard's members, in the order its Raft group lists them
 * @param move   the move under way, or null
 */
record Layout(SlotMap map, List<ShardMembers> shards, SlotMapMachine.Move move) {

    /**
     * A shard's Raft group.
     *
     * @param members   its members
     * @param preferred the one of higher Raft priority, expected to lead it
     */
    record ShardMembers(List<Member> members, int preferred) {
        ShardMembers {
            members = List.copyOf(members);
        }

        /** The member expected to lead the shard. */
        Member expected() {
            return members.get(preferred);
        }

        /** Whether process {@code id} is a member. */
        boolean has(String id) {
            return members.stream().anyMatch(m -> m.id().equals(id));
        }
    }

    Layout {
        shards = List.copyOf(shards);
    }

    /** The first layout of {@code shards} shards over {@code founders}: the even map, shard {@code i} led first by founder {@code i} mod their number. */
    static Layout initial(List<Member> founders, int shards) {
        List<ShardMembers> each = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            each.add(new ShardMembers(founders, i % founders.size()));
        }
        return new Layout(SlotMap.even(shards), each, null);
    }

    /** This layout with a map of one more shard, of {@code members} (the first expected to lead), at the next epoch. */
    Layout withShard(List<Member> members) {
        List<ShardMembers> each = new ArrayList<>(shards);
        each.add(new ShardMembers(members, 0));
        return new Layout(map.withShard(), each, move);
    }

    Layout withMap(SlotMap next) {
        return new Layout(next, shards, move);
    }

    Layout withMove(SlotMapMachine.Move next) {
        return new Layout(map, shards, next);
    }

    /** Every process of the cluster, once each: the founders first, then those that joined, as shards list them. */
    List<Member> processes() {
        Map<String, Member> all = new LinkedHashMap<>();
        for (ShardMembers s : shards) {
            for (Member m : s.members()) {
                all.putIfAbsent(m.id(), m);
            }
        }
        return List.copyOf(all.values());
    }

    /** The process of id {@code id}, or null. */
    Member process(String id) {
        return processes().stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * <pre>
     * layout := i64(epoch) u16(shards) u16(owner)*16384 (u8(preferred) u8(members) str(member spec)*)*shards
     *           (u8 = 0 | u8 = 1 i64(move) u16(from) u16(to) u16(count) u16(slot)*)
     * str    := u16(length) utf8
     * </pre>
     */
    byte[] encode() {
        List<byte[]> specs = new ArrayList<>();
        int size = 8 + 2 + 2 * HashSlot.SLOTS + 1 + (move == null ? 0 : 14 + 2 * move.slots().length);
        for (ShardMembers s : shards) {
            size += 2;
            for (Member m : s.members()) {
                byte[] spec = m.spec().getBytes(StandardCharsets.UTF_8);
                specs.add(spec);
                size += 2 + spec.length;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).putLong(map.epoch()).putShort((short) shards.size());
        for (int slot = 0; slot < HashSlot.SLOTS; slot++) {
            b.putShort((short) map.owner(slot));
        }
        int next = 0;
        for (ShardMembers s : shards) {
            b.put((byte) s.preferred()).put((byte) s.members().size());
            for (int i = 0; i < s.members().size(); i++) {
                byte[] spec = specs.get(next++);
                b.putShort((short) spec.length).put(spec);
            }
        }
        if (move == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).putLong(move.id()).putShort((short) move.from()).putShort((short) move.to())
                    .putShort((short) move.slots().length);
            for (int slot : move.slots()) {
                b.putShort((short) slot);
            }
        }
        return b.array();
    }

    /** The layout {@link #encode} wrote. */
    static Layout decode(ByteBuffer b) {
        long epoch = b.getLong();
        int count = Short.toUnsignedInt(b.getShort());
        short[] owners = new short[HashSlot.SLOTS];
        for (int slot = 0; slot < owners.length; slot++) {
            owners[slot] = b.getShort();
        }
        List<ShardMembers> shards = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int preferred = b.get();
            List<Member> members = new ArrayList<>();
            for (int n = b.get(); n > 0; n--) {
                byte[] spec = new byte[Short.toUnsignedInt(b.getShort())];
                b.get(spec);
                members.add(Member.parse(new String(spec, StandardCharsets.UTF_8)));
            }
            shards.add(new ShardMembers(members, preferred));
        }
        SlotMapMachine.Move move = null;
        if (b.get() == 1) {
            long id = b.getLong();
            int from = Short.toUnsignedInt(b.getShort());
            int to = Short.toUnsignedInt(b.getShort());
            int[] slots = new int[Short.toUnsignedInt(b.getShort())];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = Short.toUnsignedInt(b.getShort());
            }
            move = new SlotMapMachine.Move(id, from, to, slots);
        }
        return new Layout(SlotMap.of(epoch, owners, count), shards, move);
    }
}
