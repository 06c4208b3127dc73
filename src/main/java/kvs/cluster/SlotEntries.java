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
 * entry := TAG(u8 = 16) op(u8) i64(move) u16(count) u16(slot)* [op = IMPORT: i32(count) pair* | op = SESSIONS: i32(count) last*]
 * pair  := i32(length) key i32(length) value i64(deadline, 0 for none)
 * last  := u64 u64 (a client's id) i64(seq) u8(notFound)
 * </pre>
 * {@code move} is the id of the move the entry is a step of (the index of its beginning in the
 * metadata group's log, so a later move has a greater id): a shard refuses a step of a move older
 * than one it has taken a step of, so a driver that stopped and came back late (a paused process)
 * cannot act on slots a later move has moved since.
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
        DROP,
        /**
         * The source's clients' last writes, taken where newer than this shard's: a write applied by
         * the source and retried here after its slot moved is answered, not applied again.
         */
        SESSIONS
    }

    /** A decoded entry: its move, op, slots and, for an import, pairs. */
    record Decoded(long move, Op op, int[] slots, List<Write.Set> pairs, java.util.Map<java.util.UUID, Sessions.Last> sessions) {
    }

    /** A {@link Op#SESSIONS} of {@code sessions} (a log index of each is not carried: the entry's own is taken). */
    static byte[] sessions(long move, int[] slots, java.util.Map<java.util.UUID, Sessions.Last> sessions) {
        ByteBuffer b = ByteBuffer.allocate(16 + 2 * slots.length + 25 * sessions.size()).put((byte) TAG)
                .put((byte) Op.SESSIONS.ordinal()).putLong(move).putShort((short) slots.length);
        for (int slot : slots) {
            b.putShort((short) slot);
        }
        b.putInt(sessions.size());
        sessions.forEach((client, last) -> b.putLong(client.getMostSignificantBits()).putLong(client.getLeastSignificantBits())
                .putLong(last.seq()).put((byte) (last.notFound() ? 1 : 0)));
        return b.array();
    }

    private SlotEntries() {
    }

    /** Whether {@code entry} is one of these (rather than the clients' writes). */
    static boolean is(byte[] entry) {
        return entry.length > 0 && entry[0] == TAG;
    }

    /** The entry of {@code op} on {@code slots}, a step of move {@code move}. */
    static byte[] entry(long move, Op op, int[] slots) {
        return entry(move, op, slots, List.of());
    }

    /** An {@link Op#IMPORT} of {@code pairs} into {@code slots}, a step of move {@code move}. */
    static byte[] entry(long move, Op op, int[] slots, List<Write.Set> pairs) {
        int size = 12 + 2 * slots.length + (op == Op.IMPORT ? 4 : 0);
        for (Write.Set p : pairs) {
            size += 16 + p.key().length() + p.value().length();
        }
        ByteBuffer b = ByteBuffer.allocate(size).put((byte) TAG).put((byte) op.ordinal()).putLong(move)
                .putShort((short) slots.length);
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
            long move = b.getLong();
            int[] slots = new int[Short.toUnsignedInt(b.getShort())];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = Short.toUnsignedInt(b.getShort());
                if (slots[i] >= HashSlot.SLOTS) {
                    throw new EntryCodec.MalformedEntry("no slot " + slots[i]);
                }
            }
            List<Write.Set> pairs = new ArrayList<>();
            java.util.Map<java.util.UUID, Sessions.Last> sessions = new java.util.LinkedHashMap<>();
            if (Op.values()[op] == Op.SESSIONS) {
                for (int n = b.getInt(); n > 0; n--) {
                    java.util.UUID client = new java.util.UUID(b.getLong(), b.getLong());
                    sessions.put(client, new Sessions.Last(b.getLong(), 0, b.get() != 0));
                }
            }
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
            return new Decoded(move, Op.values()[op], slots, pairs, sessions);
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
