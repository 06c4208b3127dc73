package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.store.Bytes;
import kvs.store.Write;
import kvs.store.WriteId;
import org.junit.jupiter.api.Test;

/** The Raft log's own record format: entries and replies round-trip, bytes of any value, format 1 still reads, a newer format is refused. */
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
    void replies_roundTrip() throws Exception {
        List<EntryCodec.Applied> outcomes = List.of(EntryCodec.Applied.OK, EntryCodec.Applied.NOT_FOUND,
                EntryCodec.Applied.CONFLICTED, new EntryCodec.Applied.Refused("the key is too long: é"));
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
