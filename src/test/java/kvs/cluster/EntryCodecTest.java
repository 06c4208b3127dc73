package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Write;
import kvs.store.WriteId;
import org.junit.jupiter.api.Test;

/** The Raft log's own record format: entries and replies round-trip, bytes of any value, formats 1 and 2 still read, a newer format is refused. */
class EntryCodecTest {

    private static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    @Test
    void entriesOfAnyBytes_roundTrip_withTheirIds() throws Exception {
        Random random = new Random(28);
        byte[] key = new byte[300];
        byte[] value = new byte[70_000];
        random.nextBytes(key);
        random.nextBytes(value);
        WriteId id = new WriteId(new UUID(-1, 7), Long.MAX_VALUE);
        List<Write<?>> writes = List.of(Write.set(Bytes.wrap(key), Bytes.wrap(value), id), Write.remove(Bytes.EMPTY),
                Write.set(b("k"), Bytes.EMPTY), Write.remove(b("ключ"), new WriteId(new UUID(0, 0), 0)));
        List<Write<?>> back = EntryCodec.writes(EntryCodec.entry(writes));
        assertThat(back).hasSize(4);
        assertThat(back.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.key()).isEqualTo(Bytes.wrap(key));
            assertThat(s.value()).isEqualTo(Bytes.wrap(value));
            assertThat(s.deadline()).isEqualTo(Entry.NONE);
            assertThat(s.id()).isEqualTo(id);
        });
        assertThat(back.get(1)).isInstanceOfSatisfying(Write.Remove.class, r -> {
            assertThat(r.key()).isEqualTo(Bytes.EMPTY);
            assertThat(r.id()).isNull();
        });
        assertThat(back.get(2)).isInstanceOfSatisfying(Write.Set.class, s -> assertThat(s.value()).isEqualTo(Bytes.EMPTY));
        assertThat(back.get(3)).isInstanceOfSatisfying(Write.Remove.class,
                r -> assertThat(r.id()).isEqualTo(new WriteId(new UUID(0, 0), 0)));
    }

    @Test
    void deadlines_andRemovalsOfExpiredKeys_roundTrip() throws Exception {
        WriteId id = new WriteId(new UUID(3, 4), 9);
        long deadline = 1_767_225_630_000L;
        List<Write<?>> back = EntryCodec.writes(EntryCodec.entry(List.of(Write.set(b("session"), b("s"), deadline, id),
                Write.removeExpired(b("session"), deadline), Write.set(b("far"), b("f"), Long.MAX_VALUE),
                Write.removeExpired(b("k"), 1))));
        assertThat(back.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.deadline()).isEqualTo(deadline);
            assertThat(s.id()).as("a retried set with a deadline is applied once too").isEqualTo(id);
        });
        assertThat(back.get(1)).isInstanceOfSatisfying(Write.RemoveExpired.class, r -> {
            assertThat(r.key()).isEqualTo(b("session"));
            assertThat(r.deadline()).isEqualTo(deadline);
        });
        assertThat(back.get(2)).isInstanceOfSatisfying(Write.Set.class, s -> assertThat(s.deadline()).isEqualTo(Long.MAX_VALUE));
        assertThat(back.get(3)).isInstanceOfSatisfying(Write.RemoveExpired.class, r -> assertThat(r.deadline()).isEqualTo(1));
    }

    /** A format 3 SET: kind, key, value, deadline (a varint), id; here "k" = "v" until 300 (0xAC 0x02). */
    @Test
    void aSetsDeadline_isAVarintAfterTheValue() {
        assertThat(EntryCodec.entry(List.of(Write.set(b("k"), b("v"), 300))))
                .containsExactly(3, 1, 1, 1, 'k', 1, 'v', 0xAC, 0x02, 0);
        assertThat(EntryCodec.entry(List.of(Write.removeExpired(b("k"), 300))))
                .containsExactly(3, 1, 4, 1, 'k', 0xAC, 0x02);
    }

    /** Bytes as format 2 wrote them, before keys had deadlines: read as writes without deadlines, a TXN as of the member's clock. */
    @Test
    void anEntryOfFormat2_stillReads() throws Exception {
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        entry.writeBytes(new byte[] {2, 3}); // format, three writes
        entry.writeBytes(new byte[] {1, 1, 'k', 1, 'v', 1}); // SET k v, with an id:
        entry.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 5});
        entry.writeBytes(new byte[] {2, 1, 'r', 0}); // REMOVE r
        entry.writeBytes(new byte[] {3, 1, 1, 'a', 1, 1, 'x'}); // TXN: read a = x;
        entry.writeBytes(new byte[] {1, 1, 'c', 1}); // c present, removed unread;
        entry.writeBytes(new byte[] {1, 1, 1, 'a'}); // listed the keys: a;
        entry.writeBytes(new byte[] {2, 1, 'a', 1, 2, 'x', '+', 1, 'c', 0}); // wrote a = x+, removed c
        List<Write<?>> back = EntryCodec.writes(entry.toByteArray());
        assertThat(back).hasSize(3);
        assertThat(back.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.key()).isEqualTo(b("k"));
            assertThat(s.value()).isEqualTo(b("v"));
            assertThat(s.deadline()).isEqualTo(Entry.NONE);
            assertThat(s.id()).isEqualTo(new WriteId(new UUID(1, 2), 5));
        });
        assertThat(back.get(1)).isInstanceOfSatisfying(Write.Remove.class, r -> assertThat(r.key()).isEqualTo(b("r")));
        assertThat(back.get(2)).isInstanceOfSatisfying(Write.Txn.class, t -> {
            assertThat(t.asOf()).isEqualTo(Write.Txn.NOW);
            assertThat(t.transaction()).isEqualTo(new Conditional(Write.Txn.NOW, Map.of(b("a"), Entry.of(b("x"))),
                    Map.of(b("c"), true), Set.of(b("a")),
                    List.of(new GroupView.Change(b("a"), b("x+"), Entry.NONE), new GroupView.Change(b("c"), null, Entry.NONE))));
        });
        byte[] removeExpired = {2, 1, 4, 1, 'k', 5};
        assertThatThrownBy(() -> EntryCodec.writes(removeExpired)).isInstanceOf(EntryCodec.MalformedEntry.class)
                .hasMessageContaining("format 2");
    }

    @Test
    void aTransactionLoggedWithoutItsTime_orAnEntrysTimeOfZero_isRefused() {
        Conditional timeless = new Conditional(Write.Txn.NOW, Map.of(), Map.of(), null, List.of());
        assertThatThrownBy(() -> EntryCodec.entry(List.of(Write.transaction(timeless)))).isInstanceOf(IllegalArgumentException.class);
        byte[] zero = {3, 1, 3, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> EntryCodec.writes(zero)).isInstanceOf(EntryCodec.MalformedEntry.class)
                .hasMessageContaining("time out of range");
    }

    @Test
    void replies_roundTrip() throws Exception {
        List<EntryCodec.Applied> outcomes = List.of(EntryCodec.Applied.OK, EntryCodec.Applied.NOT_FOUND,
                EntryCodec.Applied.CONFLICTED, new EntryCodec.Applied.Refused("the key is too long: é"),
                new EntryCodec.Applied.Moving(16_383));
        assertThat(EntryCodec.outcomes(EntryCodec.reply(outcomes))).isEqualTo(outcomes);
        assertThatThrownBy(() -> EntryCodec.outcomes(EntryCodec.malformed("bad entry")))
                .isInstanceOf(EntryCodec.MalformedEntry.class).hasMessageContaining("bad entry");
    }

    /** Entries written before the log had its own format: frames of client requests. */
    @Test
    void anEntryOfFormat1_stillReads() throws Exception {
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        Frames.write(entry, Codec.encode(new Request.Set(b("a"), b("é"), new WriteId(new UUID(1, 2), 3))));
        Frames.write(entry, Codec.encode(new Request.Remove("b")));
        List<Write<?>> back = EntryCodec.writes(entry.toByteArray());
        assertThat(back.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.key()).isEqualTo(b("a"));
            assertThat(s.value()).isEqualTo(b("é"));
            assertThat(s.id()).isEqualTo(new WriteId(new UUID(1, 2), 3));
        });
        assertThat(back.get(1)).isInstanceOfSatisfying(Write.Remove.class, r -> assertThat(r.key()).isEqualTo(b("b")));
    }

    @Test
    void aNewerFormat_orBytesCutShort_areRefused_sayingSo() {
        byte[] entry = EntryCodec.entry(List.of(Write.set(b("k"), b("v"))));
        entry[0] = (byte) (EntryCodec.FORMAT + 1);
        assertThatThrownBy(() -> EntryCodec.writes(entry)).isInstanceOf(EntryCodec.MalformedEntry.class)
                .hasMessageContaining("newer than this release reads");
        byte[] good = EntryCodec.entry(List.of(Write.set(b("k"), b("v"))));
        for (int n = 1; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            assertThatThrownBy(() -> EntryCodec.writes(cut)).as("cut at %d", n).isInstanceOf(EntryCodec.MalformedEntry.class);
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> EntryCodec.writes(longer)).isInstanceOf(EntryCodec.MalformedEntry.class)
                .hasMessageContaining("follow");
    }
}
