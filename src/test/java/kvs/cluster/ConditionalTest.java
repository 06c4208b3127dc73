package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.GroupView;
import kvs.store.Refusal;
import kvs.store.Transaction;
import kvs.store.Write;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A read-modify-write as the leader logs it, and as each member applies it: only over what the leader read. */
class ConditionalTest {

    /** The time the views read deadlines against. */
    private static final long NOW = 1_700_000_000_000L;

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    /** A store of {@code pairs} as a group's transactions see it. */
    private static GroupView view(Map<String, String> pairs) {
        Map<Bytes, Bytes> data = new HashMap<>();
        pairs.forEach((k, v) -> data.put(b(k), b(v)));
        return new GroupView(new GroupView.Committed() {
            @Override
            public Entry stored(Bytes key) {
                Bytes v = data.get(key);
                return v == null ? null : Entry.of(v);
            }

            @Override
            public Iterator<Bytes> keys() {
                return data.keySet().iterator();
            }
        }, NOW);
    }

    /** A member applying {@code logged} over {@code pairs}: whether it held, and the changes it made. */
    private static GroupView.Ran<Boolean> apply(Conditional logged, Map<String, String> pairs) throws Exception {
        return view(pairs).run(logged);
    }

    /** Appends "+" to a (reading it twice) and copies b to c, or removes c (unread) when b is absent (reading b twice); returns a's new value. */
    private static final Transaction<Bytes> APPEND_TO_A_AND_COPY_B = v -> {
        Bytes a = (v.get(b("a")) == null ? b("") : v.get(b("a"))).concat(b("+"));
        v.set(b("a"), a);
        if (v.get(b("b")) == null) {
            v.remove(b("c"));
        } else {
            v.set(b("c"), v.get(b("b")));
        }
        return a;
    };

    @Test
    void theLeadersRun_recordsEachKeyItReadOnce_andTheWrites() throws Exception {
        Conditional.Run run = Conditional.run(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old")));
        assertThat(run.refusal()).isNull();
        assertThat(run.result()).isEqualTo(b("x+"));
        Map<Bytes, Entry> expected = new LinkedHashMap<>();
        expected.put(b("a"), Entry.of(b("x")));
        expected.put(b("b"), null);
        assertThat(run.logged().reads()).containsExactlyEntriesOf(expected);
        assertThat(run.logged().presence()).as("c removed without reading it: only its presence")
                .containsExactlyEntriesOf(Map.of(b("c"), true));
        assertThat(run.logged().keys()).isNull();
        assertThat(run.logged().writes()).extracting(GroupView.Change::key, GroupView.Change::value)
                .containsExactly(Tuple.tuple(b("a"), b("x+")), Tuple.tuple(b("c"), null));
    }

    @Test
    void aMember_appliesTheWritesOnlyWhereItReadsAsTheLeaderDid() throws Exception {
        Conditional logged = Conditional.run(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old"))).logged();
        GroupView.Ran<Boolean> same = apply(logged, Map.of("a", "x", "c", "old"));
        assertThat(same.result()).isTrue();
        assertThat(same.changes()).hasSize(2);
        GroupView.Ran<Boolean> changed = apply(logged, Map.of("a", "y", "c", "old"));
        assertThat(changed.result()).as("a value changed").isFalse();
        assertThat(changed.changes()).isEmpty();
        GroupView.Ran<Boolean> appeared = apply(logged, Map.of("a", "x", "b", "now present", "c", "old"));
        assertThat(appeared.result()).as("an absent key present").isFalse();
        assertThat(appeared.changes()).isEmpty();
        GroupView.Ran<Boolean> gone = apply(logged, Map.of("a", "x"));
        assertThat(gone.result()).as("a key removed unread, now absent").isFalse();
        assertThat(gone.changes()).isEmpty();
        GroupView.Ran<Boolean> otherValue = apply(logged, Map.of("a", "x", "c", "other"));
        assertThat(otherValue.result()).as("a key removed unread, present with another value").isTrue();
        assertThat(otherValue.changes()).hasSize(2);
    }

    @Test
    void aRunThatListedTheKeys_holdsOnlyOverTheSameKeys_withoutTheGroupsOwn() throws Exception {
        Transaction<Void> flush = v -> {
            for (Bytes k : List.copyOf(v.keys())) {
                v.remove(k);
            }
            return null;
        };
        Conditional.Run run = Conditional.run(flush, view(Map.of("a", "1", "b", "2")));
        assertThat(run.logged().keys()).containsExactlyInAnyOrder(b("a"), b("b"));
        assertThat(run.logged().writes()).extracting(GroupView.Change::key).containsExactlyInAnyOrder(b("a"), b("b"));
        assertThat(apply(run.logged(), Map.of("a", "9", "b", "9")).changes()).as("values may differ").hasSize(2);
        assertThat(apply(run.logged(), Map.of("a", "1")).changes()).as("a key gone").isEmpty();
        assertThat(apply(run.logged(), Map.of("a", "1", "b", "2", "c", "3")).changes()).as("a key more").isEmpty();
    }

    @Test
    void aRefusal_isKeptWithWhatItRead_andWritesNothing() throws Exception {
        Transaction<Long> incr = v -> {
            throw new Refusal("ERR value is not an integer or out of range");
        };
        Conditional.Run run = Conditional.run(v -> {
            v.get(b("n"));
            v.set(b("m"), b("written before the refusal"));
            return incr.run(v);
        }, view(Map.of("n", "word")));
        assertThat(run.refusal()).hasMessageContaining("not an integer");
        assertThat(run.logged().reads()).containsEntry(b("n"), Entry.of(b("word")));
        assertThat(run.logged().writes()).isEmpty();
    }

    @Test
    void anEntryOfWritesAndRunTransactions_decodesToTheSame() throws Exception {
        Map<Bytes, Entry> reads = new LinkedHashMap<>();
        reads.put(b("a"), Entry.of(b("é")));
        reads.put(b("gone"), null);
        Map<Bytes, Boolean> presence = new LinkedHashMap<>();
        presence.put(b("c"), true);
        presence.put(b("d"), false);
        Conditional c = new Conditional(reads, presence, Set.of(b("a"), b("b")),
                List.of(new GroupView.Change(b("a"), b("é+"), Entry.NONE), new GroupView.Change(b("b"), null, Entry.NONE)));
        Conditional plain = new Conditional(new HashMap<>(), new HashMap<>(), null, List.of());
        byte[] entry = EntryCodec.entry(List.of(Write.set(b("k"), b("v")), Write.transaction(c), Write.remove(b("k")),
                Write.transaction(plain)));
        List<Write<?>> decoded = EntryCodec.writes(entry);
        assertThat(decoded).hasSize(4);
        assertThat(decoded.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.key()).isEqualTo(b("k"));
            assertThat(s.value()).isEqualTo(b("v"));
        });
        assertThat(decoded.get(2)).isInstanceOfSatisfying(Write.Remove.class, r -> assertThat(r.key()).isEqualTo(b("k")));
        Conditional back = (Conditional) ((Write.Txn<?>) decoded.get(1)).transaction();
        assertThat(back.reads()).containsExactlyEntriesOf(reads);
        assertThat(back.presence()).containsExactlyEntriesOf(presence);
        assertThat(back.keys()).containsExactlyInAnyOrder(b("a"), b("b"));
        assertThat(back.writes()).extracting(GroupView.Change::key, GroupView.Change::value)
                .containsExactly(Tuple.tuple(b("a"), b("é+")), Tuple.tuple(b("b"), null));
        Conditional empty = (Conditional) ((Write.Txn<?>) decoded.get(3)).transaction();
        assertThat(empty.keys()).isNull();
        assertThat(empty.reads()).isEmpty();
        assertThat(empty.presence()).isEmpty();
        assertThat(empty.writes()).isEmpty();
    }
}
