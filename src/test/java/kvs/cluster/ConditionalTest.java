package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kvs.internal.Transaction;
import kvs.internal.Write;
import org.junit.jupiter.api.Test;

/** A read-modify-write as the leader logs it, and as each member applies it: only over what the leader read. */
class ConditionalTest {

    /** A store of {@code pairs} as a transaction sees it (with the group's applied index among its keys, as an engine's view has it). */
    private static Transaction.View view(Map<String, String> pairs) {
        return new Transaction.View() {
            @Override
            public String get(String key) {
                return pairs.get(key);
            }

            @Override
            public Collection<String> keys() {
                Set<String> keys = new java.util.HashSet<>(pairs.keySet());
                keys.add(KvsStateMachine.APPLIED_KEY);
                return keys;
            }
        };
    }

    private static final Transaction APPEND_TO_A_AND_COPY_B = v -> List.of(
            Write.set("a", (v.get("a") == null ? "" : v.get("a")) + "+"), v.get("b") == null ? Write.remove("c") : Write.set("c", v.get("b")));

    @Test
    void theLeadersRun_recordsEachKeyItReadOnce_andTheWrites() throws Exception {
        Conditional.Run run = Conditional.run(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old")));
        assertThat(run.refusal()).isNull();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("a", "x");
        expected.put("b", null);
        assertThat(run.logged().reads()).containsExactlyEntriesOf(expected);
        assertThat(run.logged().keys()).isNull();
        assertThat(run.logged().writes()).extracting(Write::key, Write::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "x+"), org.assertj.core.groups.Tuple.tuple("c", null));
    }

    @Test
    void aMember_appliesTheWritesOnlyWhereItReadsAsTheLeaderDid() throws Exception {
        Conditional logged = Conditional.run(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old"))).logged();
        assertThat(logged.run(view(Map.of("a", "x", "c", "old")))).hasSize(2);
        assertThat(logged.held()).isTrue();
        assertThat(logged.run(view(Map.of("a", "y", "c", "old")))).as("a value changed").isEmpty();
        assertThat(logged.held()).isFalse();
        assertThat(logged.run(view(Map.of("a", "x", "b", "now present")))).as("an absent key present").isEmpty();
        assertThat(logged.held()).isFalse();
    }

    @Test
    void aRunThatListedTheKeys_holdsOnlyOverTheSameKeys_withoutTheGroupsOwn() throws Exception {
        Transaction flush = v -> v.keys().stream().map(Write::remove).toList();
        Conditional.Run run = Conditional.run(flush, view(Map.of("a", "1", "b", "2")));
        assertThat(run.logged().keys()).containsExactlyInAnyOrder("a", "b");
        assertThat(run.logged().writes()).extracting(Write::key).containsExactlyInAnyOrder("a", "b");
        assertThat(run.logged().run(view(Map.of("a", "9", "b", "9")))).as("values may differ").hasSize(2);
        assertThat(run.logged().run(view(Map.of("a", "1")))).as("a key gone").isEmpty();
        assertThat(run.logged().run(view(Map.of("a", "1", "b", "2", "c", "3")))).as("a key more").isEmpty();
    }

    @Test
    void aRefusal_isKeptWithWhatItRead_andWritesNothing() throws Exception {
        Transaction incr = v -> {
            throw new IllegalArgumentException("ERR value is not an integer or out of range");
        };
        Conditional.Run run = Conditional.run(v -> {
            v.get("n");
            return incr.run(v);
        }, view(Map.of("n", "word")));
        assertThat(run.refusal()).hasMessageContaining("not an integer");
        assertThat(run.logged().reads()).containsEntry("n", "word");
        assertThat(run.logged().writes()).isEmpty();
    }

    @Test
    void reservedKeys_areRefused_readOrWritten() throws Exception {
        assertThat(Conditional.run(v -> List.of(Write.set(KvsStateMachine.APPLIED_KEY, "x")), view(Map.of())).refusal())
                .hasMessageContaining("reserved");
        assertThat(Conditional.run(v -> {
            v.get(KvsStateMachine.APPLIED_KEY);
            return List.of();
        }, view(Map.of())).refusal()).hasMessageContaining("reserved");
    }

    @Test
    void anEntryOfWritesAndRunTransactions_decodesToTheSame() throws Exception {
        Map<String, String> reads = new LinkedHashMap<>();
        reads.put("a", "é");
        reads.put("gone", null);
        Conditional c = new Conditional(reads, Set.of("a", "b"), List.of(Write.set("a", "é+"), Write.remove("b")));
        Conditional plain = new Conditional(new HashMap<>(), null, List.of());
        byte[] entry = Entries.ofWrites(List.of(Write.set("k", "v"), Write.transaction(c), Write.remove("k"), Write.transaction(plain)));
        List<Write> decoded = Entries.writes(entry);
        assertThat(decoded).hasSize(4);
        assertThat(decoded.get(0).value()).isEqualTo("v");
        assertThat(decoded.get(2).isRemove()).isTrue();
        Conditional back = (Conditional) decoded.get(1).transaction();
        assertThat(back.reads()).containsExactlyEntriesOf(reads);
        assertThat(back.keys()).containsExactlyInAnyOrder("a", "b");
        assertThat(back.writes()).extracting(Write::key, Write::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "é+"), org.assertj.core.groups.Tuple.tuple("b", null));
        Conditional empty = (Conditional) decoded.get(3).transaction();
        assertThat(empty.keys()).isNull();
        assertThat(empty.reads()).isEmpty();
        assertThat(empty.writes()).isEmpty();
    }
}
