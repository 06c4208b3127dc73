package kvs.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import kvs.slots.HashSlot;
import kvs.store.Bytes;
import kvs.store.Write;

/**
 * The entries of a shard's log that move slots in or out of it (docs/CLUSTER.md, "Moving
 * slots"), apart from the clients' writes ({@link EntryCodec}): their first byte, {@link #TAG},
 * is none of the formats of those. Big-endian.
 *
 * <pre>
 * entry := TAG(u8 = 16) op(u8) u16(count) u16(slot)* [op = IMPORT: i32(count) pair*]
 * pair  := i32(length) key i32(length) value i64(deadline, 0 for none)
 * </pre>
 */
final class SlotEntries {

    static final int TAG = 16;

    /** What an entry does to its slots (each op leaves a slot in any other state as it is). */
    enum Op {
        /** Owned → frozen: the slot's writes are held while it is copied out. */
        FREEZE,
        /** Frozen → owned: a move rolled back. */
        THAW,
        /** Owned or frozen → absent: the slot is another shard's from now on. */
        RELEASE,
        /** Absent → importing, the slot's keys here (left by a move rolled back) removed. */
        RECEIVE,
        /** Pairs of importing slots, written (pairs of slots in another state are not). */
        IMPORT,
        /** Importing → owned: the slot is served here from now on. */
        OWN,
        /** The keys here of absent slots removed. */
        DROP
    }

    /** A decoded entry: its op, slots and, for an import, pairs. */
    record Decoded(Op op, int[] slots, List<Write.Set> pairs) {
    }

    private SlotEntries() {
    }

    /** Whether {@code entry} is one of these (rather than the clients' writes). */
    static boolean is(byte[] entry) {
        return entry.length > 0 && entry[0] == TAG;
    }

    /** The entry of {@code op} on {@code slots}. */
    static byte[] entry(Op op, int[] slots) {
        return entry(op, slots, List.of());
    }

    /** An {@link Op#IMPORT} of {@code pairs} into {@code slots}. */
    static byte[] entry(Op op, int[] slots, List<Write.Set> pairs) {
        int size = 4 + 2 * slots.length + (op == Op.IMPORT ? 4 : 0);
        for (Write.Set p : pairs) {
            size += 16 + p.key().length() + p.value().length();
        }
        ByteBuffer b = ByteBuffer.allocate(size).put((byte) TAG).put((byte) op.ordinal()).putShort((short) slots.length);
        for (int slot : slots) {
            b.putShort((short) slot);
        }
        if (op == Op.IMPORT) {
            b.putInt(pairs.size());
            for (Write.Set p : pairs) {
                b.putInt(p.key().length()).put(p.key().toByteArray()).putInt(p.value().length()).put(p.value().toByteArray())
                        .putLong(p.deadline() == kvs.store.Entry.NONE ? 0 : p.deadline());
            }
        }
        return b.array();
    }

    /** Decodes an entry of these. */
    static Decoded decode(byte[] entry) throws EntryCodec.MalformedEntry {
        try {
            ByteBuffer b = ByteBuffer.wrap(entry);
            b.get();
            int op = b.get();
            if (op < 0 || op >= Op.values().length) {
                throw new EntryCodec.MalformedEntry("unknown slot op " + op);
            }
            int[] slots = new int[Short.toUnsignedInt(b.getShort())];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = Short.toUnsignedInt(b.getShort());
                if (slots[i] >= HashSlot.SLOTS) {
                    throw new EntryCodec.MalformedEntry("no slot " + slots[i]);
                }
            }
            List<Write.Set> pairs = new ArrayList<>();
            if (Op.values()[op] == Op.IMPORT) {
                for (int n = b.getInt(); n > 0; n--) {
                    Bytes key = bytes(b);
                    Bytes value = bytes(b);
                    long deadline = b.getLong();
                    pairs.add(Write.set(key, value, deadline == 0 ? kvs.store.Entry.NONE : deadline));
                }
            }
            if (b.hasRemaining()) {
                throw new EntryCodec.MalformedEntry(b.remaining() + " bytes after a slot entry");
            }
            return new Decoded(Op.values()[op], slots, pairs);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new EntryCodec.MalformedEntry("a slot entry cut short: " + e);
        }
    }

    private static Bytes bytes(ByteBuffer b) {
        byte[] a = new byte[b.getInt()];
        b.get(a);
        return Bytes.wrap(a);
    }
}
