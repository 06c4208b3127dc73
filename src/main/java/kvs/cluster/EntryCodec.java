package kvs.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Outcome;
import kvs.store.Write;
import kvs.store.WriteId;

/**
 * The Raft log's own record format (docs/CLUSTER.md, "The Raft log's records"), apart from the
 * client protocol, so a change to either is not a change to the other. An entry is a run of
 * writes: sets (with their deadlines), removes, removals of expired keys and read-modify-writes
 * as the leader ran them ({@link Conditional}); its reply, one outcome per write. Big-endian;
 * lengths, counts and deadlines are unsigned LEB128 varints; a deadline is Unix milliseconds, 0 for none.
 *
 * <pre>
 * entry   := FORMAT(u8 = 3) count write*
 * write   := SET(1) bytes(key) bytes(value) varint(deadline) id | REMOVE(2) bytes(key) id
 *          | TXN(3) varint(asOf) count (bytes(key) entry)* count (bytes(key) u8)* (0 | 1 count bytes(key)*) count (bytes(key) entry)*
 *          | REMOVE_EXPIRED(4) bytes(key) varint(deadline)
 * entry   := 0 | 1 bytes(value) varint(deadline)
 * id      := 0 | 1 u64(client hi) u64(client lo) varint(seq)
 * bytes   := varint(length) byte*
 * reply   := REPLY_FORMAT(u8 = 2) (APPLIED(0) count outcome* | MALFORMED(1) text)
 * outcome := DONE(0) | ABSENT(1) | CONFLICT(2) | REFUSED(3) text | MOVING(4) varint(slot)
 * </pre>
 * A TXN holds the time the leader ran it as of, what it read then (each key's entry, 0 when
 * absent; the presence of keys removed unread; the keys present if it listed them) and what it
 * wrote (0: removed). A REMOVE_EXPIRED's outcome is DONE when it removed the key, ABSENT when the
 * key's deadline was no longer the one given.
 * <p>
 * Format 2, written before keys had deadlines, is format 3 without the deadlines and the TXN's
 * asOf (its entries and values are {@code nullable := 0 | 1 bytes}), and has no REMOVE_EXPIRED; it
 * still reads, as does an entry of format 1 (frames of client requests, {@link LegacyEntries}),
 * which begins with a frame's length, whose first byte is 0 or 1. One of a newer format than
 * {@link #FORMAT} is refused, saying so.
 */
final class EntryCodec {

    /** This code's format of entries. */
    static final int FORMAT = 3;
    /** The format before deadlines, which still reads. */
    private static final int FORMAT_2 = 2;
    /** The format of replies, unchanged since entries had a format of their own. */
    static final int REPLY_FORMAT = 2;
    private static final int SET = 1;
    private static final int REMOVE = 2;
    private static final int TXN = 3;
    private static final int REMOVE_EXPIRED = 4;
    private static final int APPLIED = 0;
    private static final int MALFORMED = 1;
    private static final int DONE = 0;
    private static final int ABSENT = 1;
    private static final int CONFLICT = 2;
    private static final int REFUSED = 3;
    private static final int MOVING = 4;
    /** The content of a ReadIndex query: a barrier, which asks for nothing but the wait. */
    static final byte[] BARRIER = {REPLY_FORMAT, 'B'};

    private EntryCodec() {
    }

    /** What became of one write of an applied entry, as its reply carries it. */
    sealed interface Applied {
        /** Done; for a remove, whether the key was present (a set or transaction: true). */
        record Done(boolean present) implements Applied {
        }

        /** A read-modify-write whose reads no longer held: nothing written; the leader runs it again. */
        record Conflict() implements Applied {
        }

        /** Refused by the member's store (a key too long): nothing written. */
        record Refused(String message) implements Applied {
        }

        /** Refused by the shard's ownership fence: the write's slot is moving ({@link SlotMoving}); nothing written. */
        record Moving(int slot) implements Applied {
        }

        Applied OK = new Done(true);
        Applied NOT_FOUND = new Done(false);
        Applied CONFLICTED = new Conflict();

        /** What the store's {@code outcome} of a write of an entry is in a reply. */
        static Applied of(Write<?> w, Outcome<?> outcome) {
            return switch (outcome) {
                case Outcome.Done<?> d when Boolean.FALSE.equals(d.value()) -> w instanceof Write.Txn<?> ? CONFLICTED : NOT_FOUND;
                case Outcome.Done<?> d -> OK;
                case Outcome.Refused<?> r when r.refusal() instanceof SlotMoving m -> new Moving(m.slot());
                case Outcome.Refused<?> r -> new Refused(r.refusal().getMessage());
                case Outcome.Failed<?> f -> throw new IllegalArgumentException("a failed write has no reply: " + f);
            };
        }
    }

    /** A log entry that does not decode (a bug, or a newer format). */
    static final class MalformedEntry extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedEntry(String message) {
            super(message);
        }
    }

    /** The entry of {@code writes}: sets, removes, removals of expired keys, and transactions of a {@link Conditional} (the leader's run). */
    static byte[] entry(List<? extends Write<?>> writes) {
        Out out = new Out();
        out.u8(FORMAT);
        out.varint(writes.size());
        for (Write<?> w : writes) {
            switch (w) {
                case Write.Set s -> {
                    out.u8(SET);
                    out.bytes(s.key());
                    out.bytes(s.value());
                    out.varint(s.deadline());
                    out.id(s.id());
                }
                case Write.Remove r -> {
                    out.u8(REMOVE);
                    out.bytes(r.key());
                    out.id(r.id());
                }
                case Write.Txn<?> t when t.transaction() instanceof Conditional c -> conditional(out, c);
                case Write.Txn<?> t -> throw new IllegalArgumentException(
                        "only a transaction the leader ran goes in a log entry: " + t.transaction());
                case Write.Meta m -> throw new IllegalArgumentException("a group's metadata goes in no log entry: " + m);
                case Write.RemoveExpired r -> {
                    out.u8(REMOVE_EXPIRED);
                    out.bytes(r.key());
                    out.varint(r.deadline());
                }
            }
        }
        return out.toByteArray();
    }

    private static void conditional(Out out, Conditional c) {
        if (c.asOf() <= 0) {
            throw new IllegalArgumentException("a read-modify-write logged without the time it ran as of: " + c);
        }
        out.u8(TXN);
        out.varint(c.asOf());
        out.varint(c.reads().size());
        c.reads().forEach((k, e) -> {
            out.bytes(k);
            out.entry(e);
        });
        out.varint(c.presence().size());
        c.presence().forEach((k, present) -> {
            out.bytes(k);
            out.u8(present ? 1 : 0);
        });
        if (c.keys() == null) {
            out.u8(0);
        } else {
            out.u8(1);
            out.varint(c.keys().size());
            c.keys().forEach(out::bytes);
        }
        out.varint(c.writes().size());
        for (GroupView.Change w : c.writes()) {
            out.bytes(w.key());
            out.entry(w.isRemove() ? null : new Entry(w.value(), w.deadline()));
        }
    }

    /**
     * The writes of an entry of this format, of format 2 or of format 1; a read-modify-write is the
     * transaction of a {@link Conditional}, as of the time the leader ran it ({@link Conditional#write()}).
     */
    static List<Write<?>> writes(byte[] entry) throws MalformedEntry {
        if (entry.length > 0 && (entry[0] & 0xFF) <= 1) {
            return LegacyEntries.writes(entry);
        }
        In in = In.of(entry);
        try {
            boolean deadlines = in.format("a log entry", FORMAT_2, FORMAT) == FORMAT;
            int n = in.count();
            List<Write<?>> writes = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                int kind = in.u8();
                writes.add(switch (kind) {
                    case SET -> Write.set(in.bytes(), in.bytes(), deadlines ? in.deadline() : Entry.NONE, in.id());
                    case REMOVE -> Write.remove(in.bytes(), in.id());
                    case TXN -> conditional(in, deadlines).write();
                    case REMOVE_EXPIRED -> {
                        if (!deadlines) {
                            throw new MalformedEntry("a removal of an expired key in a log entry of format " + FORMAT_2);
                        }
                        yield Write.removeExpired(in.bytes(), in.positive("a removal's deadline"));
                    }
                    default -> throw new MalformedEntry("a write of kind " + kind + " in a log entry");
                });
            }
            in.end("a log entry");
            return writes;
        } catch (IOException e) {
            throw new MalformedEntry("a log entry does not decode (cut short, or a field out of range): " + e.getMessage());
        }
    }

    /** A TXN's fields; {@code deadlines}: of format 3 (else 2: no time, no deadlines). */
    private static Conditional conditional(In in, boolean deadlines) throws IOException, MalformedEntry {
        long asOf = deadlines ? in.positive("a read-modify-write's time") : Write.Txn.NOW;
        Map<Bytes, Entry> reads = new LinkedHashMap<>();
        for (int i = in.count(); i > 0; i--) {
            reads.put(in.bytes(), in.entry(deadlines));
        }
        Map<Bytes, Boolean> presence = new LinkedHashMap<>();
        for (int i = in.count(); i > 0; i--) {
            presence.put(in.bytes(), in.u8() != 0);
        }
        Set<Bytes> keys = null;
        if (in.u8() != 0) {
            keys = new HashSet<>();
            for (int i = in.count(); i > 0; i--) {
                keys.add(in.bytes());
            }
        }
        List<GroupView.Change> writes = new ArrayList<>();
        for (int i = in.count(); i > 0; i--) {
            Bytes key = in.bytes();
            Entry e = in.entry(deadlines);
            writes.add(e == null ? new GroupView.Change(key, null, Entry.NONE) : new GroupView.Change(key, e.value(), e.deadline()));
        }
        return new Conditional(asOf, reads, presence, keys, writes);
    }

    /** The reply of an applied entry: one outcome per write. */
    static byte[] reply(List<Applied> outcomes) {
        Out out = new Out();
        out.u8(REPLY_FORMAT);
        out.u8(APPLIED);
        out.varint(outcomes.size());
        for (Applied a : outcomes) {
            switch (a) {
                case Applied.Done d -> out.u8(d.present() ? DONE : ABSENT);
                case Applied.Conflict c -> out.u8(CONFLICT);
                case Applied.Refused r -> {
                    out.u8(REFUSED);
                    out.bytes(Bytes.utf8(r.message()));
                }
                case Applied.Moving m -> {
                    out.u8(MOVING);
                    out.varint(m.slot());
                }
            }
        }
        return out.toByteArray();
    }

    /** The reply to an entry that did not decode: every member refuses it alike. */
    static byte[] malformed(String message) {
        Out out = new Out();
        out.u8(REPLY_FORMAT);
        out.u8(MALFORMED);
        out.bytes(Bytes.utf8(message));
        return out.toByteArray();
    }

    /** The outcomes a reply holds. */
    static List<Applied> outcomes(byte[] reply) throws MalformedEntry {
        In in = In.of(reply);
        try {
            in.format("a reply of the log", REPLY_FORMAT, REPLY_FORMAT);
            if (in.u8() == MALFORMED) {
                throw new MalformedEntry("the group refused the entry: " + in.bytes().utf8());
            }
            int n = in.count();
            List<Applied> out = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                int tag = in.u8();
                out.add(switch (tag) {
                    case DONE -> Applied.OK;
                    case ABSENT -> Applied.NOT_FOUND;
                    case CONFLICT -> Applied.CONFLICTED;
                    case REFUSED -> new Applied.Refused(in.bytes().utf8());
                    case MOVING -> new Applied.Moving(slot(in.varint()));
                    default -> throw new MalformedEntry("an outcome " + tag + " in a reply of the log");
                });
            }
            in.end("a reply of the log");
            return out;
        } catch (IOException e) {
            throw new MalformedEntry("a reply of the log is cut short: " + e.getMessage());
        }
    }

    private static int slot(long n) throws MalformedEntry {
        if (n < 0 || n >= kvs.slots.HashSlot.SLOTS) {
            throw new MalformedEntry("no slot " + n + " in a reply of the log");
        }
        return (int) n;
    }

    /** Writes the format's fields into a growing buffer. */
    static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        private final DataOutputStream data = new DataOutputStream(buf);

        void u8(int v) {
            buf.write(v);
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf.write((int) v);
        }

        void bytes(Bytes b) {
            varint(b.length());
            try {
                b.writeTo(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array output does not fail
            }
        }

        /** An entry, or its absence: {@code 0 | 1 bytes(value) varint(deadline)}. */
        void entry(Entry e) {
            if (e == null) {
                u8(0);
            } else {
                u8(1);
                bytes(e.value());
                varint(e.deadline());
            }
        }

        void id(WriteId id) {
            if (id == null) {
                u8(0);
                return;
            }
            u8(1);
            try {
                data.writeLong(id.client().getMostSignificantBits());
                data.writeLong(id.client().getLeastSignificantBits());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            varint(id.seq());
        }

        byte[] toByteArray() {
            return buf.toByteArray();
        }

        /** Writes the fields so far to {@code out} and starts over, keeping the buffer. */
        void moveTo(OutputStream out) throws IOException {
            buf.writeTo(out);
            buf.reset();
        }
    }

    /**
     * Reads the format's fields, from an entry or a reply in memory ({@link #of(byte[])}) or a
     * snapshot's stream ({@link #of(DataInputStream)}), each length checked against the bytes
     * there can be before anything is allocated from it.
     */
    abstract static class In {

        static In of(byte[] bytes) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            return new In() {
                @Override
                int u8() throws EOFException {
                    if (!buf.hasRemaining()) {
                        throw new EOFException("no byte left");
                    }
                    return buf.get() & 0xFF;
                }

                @Override
                long u64() throws EOFException {
                    if (buf.remaining() < 8) {
                        throw new EOFException("a 64-bit field cut short");
                    }
                    return buf.getLong();
                }

                @Override
                long left() {
                    return buf.remaining();
                }

                @Override
                byte[] read(int n) {
                    byte[] b = new byte[n];
                    buf.get(b);
                    return b;
                }
            };
        }

        /** Over a stream whose length is not known: a length is bounded by what an array can hold. */
        static In of(DataInputStream stream) {
            return new In() {
                @Override
                int u8() throws IOException {
                    return stream.readUnsignedByte();
                }

                @Override
                long u64() throws IOException {
                    return stream.readLong();
                }

                @Override
                long left() {
                    return Integer.MAX_VALUE - 8;
                }

                @Override
                byte[] read(int n) throws IOException {
                    byte[] b = stream.readNBytes(n); // grows its buffer with the bytes there are
                    if (b.length < n) {
                        throw new EOFException("a field of " + n + " bytes cut short at " + b.length);
                    }
                    return b;
                }
            };
        }

        abstract int u8() throws IOException;

        abstract long u64() throws IOException;

        /** The most bytes a field can still hold. */
        abstract long left();

        /** The next {@code n} bytes, {@code n} at most {@link #left}. */
        abstract byte[] read(int n) throws IOException;

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IOException("a varint longer than 64 bits");
        }

        /** A count or length, which cannot exceed the bytes left. */
        int count() throws IOException {
            long n = varint();
            if (n > left()) {
                throw new IOException("a length of " + n + " with " + left() + " bytes left");
            }
            return (int) n;
        }

        Bytes bytes() throws IOException {
            return Bytes.wrap(read(count()));
        }

        /** An entry or its absence; of format 2 ({@code deadlines} false), a value without a deadline. */
        Entry entry(boolean deadlines) throws IOException {
            if (u8() == 0) {
                return null;
            }
            Bytes value = bytes();
            return new Entry(value, deadlines ? deadline() : Entry.NONE);
        }

        /** A deadline: Unix milliseconds, or {@link Entry#NONE}. */
        long deadline() throws IOException {
            long d = varint();
            if (d < 0) {
                throw new IOException("a deadline above 2^63");
            }
            return d;
        }

        /** A time that must be given: Unix milliseconds, above 0. */
        long positive(String what) throws IOException {
            long t = varint();
            if (t <= 0) {
                throw new IOException(what + " out of range: " + Long.toUnsignedString(t));
            }
            return t;
        }

        WriteId id() throws IOException {
            if (u8() == 0) {
                return null;
            }
            UUID client = new UUID(u64(), u64());
            long seq = varint();
            if (seq < 0) {
                throw new IOException("a write's seq above 2^63");
            }
            return new WriteId(client, seq);
        }

        /** Reads the format byte, one of {@code oldest} to {@code newest}; one newer is refused, saying so. */
        int format(String what, int oldest, int newest) throws IOException, MalformedEntry {
            int f = u8();
            if (f < oldest || f > newest) {
                throw new MalformedEntry(what + " of format " + f + (f > newest
                        ? ", newer than this release reads (" + newest + "): upgrade this member" : ", which this release does not read"));
            }
            return f;
        }

        void end(String what) throws MalformedEntry {
            if (left() > 0) {
                throw new MalformedEntry(left() + " bytes follow " + what);
            }
        }
    }
}
