package kvs.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import kvs.KvsException;
import kvs.slots.HashSlot;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;
import kvs.store.Write;

/**
 * What a move's driver reads from the source shard, wherever it runs: read-only queries its
 * leader answers after a ReadIndex (so after the freeze the driver committed), in a process that
 * need not be the shard's member. Each answer is what the driver writes to the target next.
 *
 * <pre>
 * query    := TAG(u8 = 'Q') (KEYS(u8 = 'K') slots | COUNTS(u8 = 'C') slots
 *                             | EXPORT(u8 = 'E') i64(move) slots u32(count) bytes* | SESSIONS(u8 = 'S') i64(move) slots)
 * slots    := u16(count) u16(slot)*        bytes := u32(length) u8*
 * answers  := KEYS: u32(count) bytes* (every key of the slots)
 *             COUNTS: u32(keys)* (how many keys each slot holds, in the query's order)
 *             EXPORT: u32(keys read) and the IMPORT entry of those of them stored ({@link SlotEntries})
 *             SESSIONS: the SESSIONS entry of the shard's clients' last writes
 * </pre>
 */
final class ShardQueries {

    private static final byte TAG = 'Q';
    private static final byte KEYS = 'K';
    private static final byte COUNTS = 'C';
    private static final byte EXPORT = 'E';
    private static final byte SESSIONS = 'S';

    /** Pairs an import entry carries at most, and bytes of keys and values (an entry must fit Ratis's appender buffer). */
    static final int IMPORT_PAIRS = 1024;
    static final int IMPORT_BYTES = 1 << 20;

    private ShardQueries() {
    }

    /** Whether {@code query} is one of these. */
    static boolean is(ByteBuffer query) {
        return query.remaining() >= 2 && query.get(query.position()) == TAG;
    }

    /** Every key of {@code slots} the shard stores. */
    static byte[] keys(int[] slots) {
        return header(KEYS, 0, slots, 0).array();
    }

    /** How many keys each of {@code slots} holds. */
    static byte[] counts(int[] slots) {
        return header(COUNTS, 0, slots, 0).array();
    }

    /** The counts a {@link #counts} query of {@code slots} slots answered. */
    static int[] decodeCounts(ByteBuffer answer, int slots) {
        int[] counts = new int[slots];
        for (int i = 0; i < slots; i++) {
            counts[i] = answer.getInt();
        }
        return counts;
    }

    /** The import entry of the stored ones of {@code keys}, as many as fit one entry, for move {@code move} of {@code slots}. */
    static byte[] export(long move, int[] slots, List<Bytes> keys) {
        int size = 4;
        for (Bytes k : keys) {
            size += 4 + k.length();
        }
        ByteBuffer b = header(EXPORT, move, slots, size).putInt(keys.size());
        for (Bytes k : keys) {
            b.putInt(k.length()).put(k.toByteArray());
        }
        return b.array();
    }

    /** The sessions entry of the shard's clients' last writes, for move {@code move} of {@code slots}. */
    static byte[] sessions(long move, int[] slots) {
        return header(SESSIONS, move, slots, 0).array();
    }

    private static ByteBuffer header(byte kind, long move, int[] slots, int more) {
        boolean ofMove = kind == EXPORT || kind == SESSIONS;
        ByteBuffer b = ByteBuffer.allocate(2 + (ofMove ? 8 : 0) + 2 + 2 * slots.length + more).put(TAG).put(kind);
        if (ofMove) {
            b.putLong(move);
        }
        b.putShort((short) slots.length);
        for (int slot : slots) {
            b.putShort((short) slot);
        }
        return b;
    }

    /** The keys a {@link #keys} query answered. */
    static List<Bytes> decodeKeys(ByteBuffer answer) {
        List<Bytes> keys = new ArrayList<>();
        for (int n = answer.getInt(); n > 0; n--) {
            keys.add(bytes(answer));
        }
        return keys;
    }

    /** An {@link #export} query's answer: how many of its keys it read, and the entry to import them. */
    record Exported(int read, byte[] entry) {
        static Exported of(ByteBuffer answer) {
            int read = answer.getInt();
            byte[] entry = new byte[answer.remaining()];
            answer.get(entry);
            return new Exported(read, entry);
        }
    }

    /** Answers {@code query} from {@code engine} and the shard's clients' last writes {@code sessions}. */
    static byte[] answer(ByteBuffer query, Store engine, Map<UUID, Sessions.Last> sessions) throws KvsException {
        query.get();
        byte kind = query.get();
        long move = kind == EXPORT || kind == SESSIONS ? query.getLong() : 0;
        int[] slots = new int[Short.toUnsignedInt(query.getShort())];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = Short.toUnsignedInt(query.getShort());
        }
        return switch (kind) {
            case KEYS -> keysOf(engine, slots);
            case COUNTS -> countsOf(engine, slots);
            case EXPORT -> export(engine, move, slots, query);
            case SESSIONS -> SlotEntries.sessions(move, slots, sessions);
            default -> throw new IllegalArgumentException("no shard query '" + (char) kind + "'");
        };
    }

    private static byte[] keysOf(Store engine, int[] slots) throws KvsException {
        BitSet of = new BitSet(HashSlot.SLOTS);
        for (int slot : slots) {
            of.set(slot);
        }
        List<Bytes> keys = new ArrayList<>();
        int size = 4;
        for (Bytes key : StoredEntries.keys(engine)) {
            if (of.get(HashSlot.of(key))) {
                keys.add(key);
                size += 4 + key.length();
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(keys.size());
        for (Bytes k : keys) {
            b.putInt(k.length()).put(k.toByteArray());
        }
        return b.array();
    }

    private static byte[] countsOf(Store engine, int[] slots) throws KvsException {
        int[] at = new int[HashSlot.SLOTS];
        java.util.Arrays.fill(at, -1);
        for (int i = 0; i < slots.length; i++) {
            at[slots[i]] = i;
        }
        int[] counts = new int[slots.length];
        for (Bytes key : StoredEntries.keys(engine)) {
            int i = at[HashSlot.of(key)];
            if (i >= 0) {
                counts[i]++;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(4 * counts.length);
        for (int n : counts) {
            b.putInt(n);
        }
        return b.array();
    }

    private static byte[] export(Store engine, long move, int[] slots, ByteBuffer query) throws KvsException {
        List<Bytes> keys = new ArrayList<>();
        for (int n = query.getInt(); n > 0; n--) {
            keys.add(bytes(query));
        }
        List<Entry> entries = StoredEntries.entries(engine, keys);
        List<Write.Set> pairs = new ArrayList<>();
        long bytes = 0;
        int read = 0;
        while (read < keys.size() && pairs.size() < IMPORT_PAIRS && (read == 0 || bytes < IMPORT_BYTES)) {
            Entry e = entries.get(read);
            Bytes key = keys.get(read++);
            if (e != null) {
                pairs.add(Write.set(key, e.value(), e.deadline()));
                bytes += key.length() + e.value().length();
            }
        }
        byte[] entry = SlotEntries.entry(move, SlotEntries.Op.IMPORT, slots, pairs);
        return ByteBuffer.allocate(4 + entry.length).putInt(read).put(entry).array();
    }

    private static Bytes bytes(ByteBuffer b) {
        byte[] a = new byte[b.getInt()];
        b.get(a);
        return Bytes.wrap(a);
    }
}
