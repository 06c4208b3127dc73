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

    /** A store of {@code pairs}, without deadlines, as a group's transactions see it at {@link #NOW}. */
    private static GroupView view(Map<String, String> pairs) {
        Map<String, Entry> entries = new HashMap<>();
        pairs.forEach((k, v) -> entries.put(k, Entry.of(b(v))));
        return stored(entries, NOW);
    }

    /** A member's engine holding {@code entries} (expired ones too) as it applies an entry, its clock at {@code clock}. */
    private static GroupView stored(Map<String, Entry> entries, long clock) {
        return over(entries, clock, /* hideExpired= */ false);
    }

    /**
     * The leader's engine holding {@code entries}, as EntryWriter's view sees it, its clock at
     * {@code clock}: the engine's reads hide a key whose deadline has passed; whether a key is
     * stored, and the keys stored, include it.
     */
    private static GroupView leaders(Map<String, Entry> entries, long clock) {
        return over(entries, clock, /* hideExpired= */ true);
    }

    private static GroupView over(Map<String, Entry> entries, long clock, boolean hideExpired) {
        Map<Bytes, Entry> data = new HashMap<>();
        entries.forEach((k, e) -> data.put(b(k), e));
        return new GroupView(new GroupView.Committed() {
            @Override
            public Entry stored(Bytes key) {
                Entry e = data.get(key);
                return e != null && hideExpired && e.expiredAt(clock) ? null : e;
            }

            @Override
            public boolean contains(Bytes key) {
                return data.containsKey(key);
            }

            @Override
            public Iterator<Bytes> keys() {
                return data.keySet().iterator();
            }
        }, clock);
    }

    /** The leader's run of {@code transaction} over {@code view}, as of the view's time. */
    private static <R> Conditional.Run lead(Transaction<R> transaction, GroupView view) throws Exception {
        return Conditional.run(Write.transaction(transaction), view);
    }

    /** A member applying {@code logged} over {@code pairs}: whether it held, and the changes it made. */
    private static GroupView.Ran<Boolean> apply(Conditional logged, Map<String, String> pairs) throws Exception {
        return view(pairs).run(logged);
    }

    /** A member whose clock reads {@code clock} applying {@code logged} as a store applies its write: as of the leader's time. */
    private static GroupView.Ran<Boolean> applyAt(Conditional logged, Map<String, Entry> entries, long clock) throws Exception {
        Write.Txn<Boolean> w = logged.write();
        return stored(entries, clock).run(w.transaction(), w.asOf());
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
        Conditional.Run run = lead(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old")));
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
        Conditional logged = lead(APPEND_TO_A_AND_COPY_B, view(Map.of("a", "x", "c", "old"))).logged();
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
        Conditional.Run run = lead(flush, view(Map.of("a", "1", "b", "2")));
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
        Conditional.Run run = lead(v -> {
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
        reads.put(b("expiring"), new Entry(b("v"), NOW + 1));
        Conditional c = new Conditional(NOW, reads, presence, Set.of(b("a"), b("b")),
                List.of(new GroupView.Change(b("a"), b("é+"), Entry.NONE), new GroupView.Change(b("b"), null, Entry.NONE),
                        new GroupView.Change(b("lock"), b("token"), NOW + 30_000)));
        Conditional plain = new Conditional(1, new HashMap<>(), new HashMap<>(), null, List.of());
        byte[] entry = EntryCodec.entry(List.of(Write.set(b("k"), b("v")), Write.transaction(c), Write.remove(b("k")),
                Write.transaction(plain)));
        List<Write<?>> decoded = EntryCodec.writes(entry);
        assertThat(decoded).hasSize(4);
        assertThat(decoded.get(0)).isInstanceOfSatisfying(Write.Set.class, s -> {
            assertThat(s.key()).isEqualTo(b("k"));
            assertThat(s.value()).isEqualTo(b("v"));
        });
        assertThat(decoded.get(2)).isInstanceOfSatisfying(Write.Remove.class, r -> assertThat(r.key()).isEqualTo(b("k")));
        assertThat(((Write.Txn<?>) decoded.get(1)).asOf()).as("applied as of the leader's time").isEqualTo(NOW);
        Conditional back = (Conditional) ((Write.Txn<?>) decoded.get(1)).transaction();
        assertThat(back.asOf()).isEqualTo(NOW);
        assertThat(back.reads()).containsExactlyEntriesOf(reads);
        assertThat(back.presence()).containsExactlyEntriesOf(presence);
        assertThat(back.keys()).containsExactlyInAnyOrder(b("a"), b("b"));
        assertThat(back.writes()).containsExactlyElementsOf(c.writes());
        Conditional empty = (Conditional) ((Write.Txn<?>) decoded.get(3)).transaction();
        assertThat(empty.keys()).isNull();
        assertThat(empty.reads()).isEmpty();
        assertThat(empty.presence()).isEmpty();
        assertThat(empty.writes()).isEmpty();
    }

    /** A lock as RESP's {@code SET lock token NX PX 30000} takes it: only if absent, until 30 s after the run's time. */
    private static Transaction<Boolean> lock(String token) {
        return v -> {
            if (v.get(b("lock")) != null) {
                return false;
            }
            v.set(b("lock"), b(token), v.now() + 30_000);
            return true;
        };
    }

    @Test
    void theLeadersRun_recordsItsTime_theDeadlinesItRead_andThoseItWrote() throws Exception {
        Map<String, Entry> stored = Map.of("lock", new Entry(b("old"), NOW - 1), "a", new Entry(b("x"), NOW + 1000));
        Conditional.Run run = lead(v -> {
            v.get(b("a"));
            return lock("mine").run(v);
        }, leaders(stored, NOW));
        assertThat(run.result()).as("a lock whose deadline has passed is free").isEqualTo(true);
        Conditional logged = run.logged();
        assertThat(logged.asOf()).isEqualTo(NOW);
        Map<Bytes, Entry> expected = new LinkedHashMap<>();
        expected.put(b("a"), new Entry(b("x"), NOW + 1000));
        expected.put(b("lock"), null);
        assertThat(logged.reads()).containsExactlyEntriesOf(expected);
        assertThat(logged.writes()).containsExactly(new GroupView.Change(b("lock"), b("mine"), NOW + 30_000));
        assertThat(logged.write().asOf()).as("members apply it as of the leader's time").isEqualTo(NOW);
    }

    @Test
    void membersAtDifferentClocks_decideAsOfTheLeadersTime_andAlike() throws Exception {
        // The lock's deadline is 5 ms after the leader's run: a member 10 s ahead would read it expired by its own clock.
        Map<String, Entry> held = Map.of("lock", new Entry(b("theirs"), NOW + 5));
        Map<String, Entry> expired = Map.of("lock", new Entry(b("theirs"), NOW - 5));
        Conditional refused = lead(lock("mine"), leaders(held, NOW)).logged();
        Conditional taken = lead(lock("mine"), leaders(expired, NOW)).logged();
        for (long skew : new long[] {-60_000, -10, 0, 10, 60_000}) {
            GroupView.Ran<Boolean> onHeld = applyAt(refused, held, NOW + skew);
            assertThat(onHeld.result()).as("the held lock, a member %d ms off", skew).isTrue();
            assertThat(onHeld.changes()).isEmpty();
            GroupView.Ran<Boolean> onExpired = applyAt(taken, expired, NOW + skew);
            assertThat(onExpired.result()).as("the expired lock, a member %d ms off", skew).isTrue();
            assertThat(onExpired.changes()).containsExactly(new GroupView.Change(b("lock"), b("mine"), NOW + 30_000));
        }
        GroupView.Ran<Boolean> byOwnClock = stored(held, NOW + 10_000).run(refused);
        assertThat(byOwnClock.result()).as("as of a fast member's own clock, it would not hold").isFalse();
    }

    @Test
    void aRunThatListedTheKeys_comparesThoseLiveAsOfTheLeadersTime_whateverEachEngineStillStores() throws Exception {
        Transaction<Integer> count = v -> {
            int n = v.keys().size();
            v.set(b("count"), b(Integer.toString(n)));
            return n;
        };
        Map<String, Entry> stored = new HashMap<>();
        stored.put("live", Entry.of(b("1")));
        stored.put("expiring", new Entry(b("2"), NOW + 5));
        stored.put("expired", new Entry(b("3"), NOW - 5)); // stored on every member until the log removes it
        Conditional.Run run = lead(count, leaders(stored, NOW));
        assertThat(run.logged().keys()).containsExactlyInAnyOrder(b("live"), b("expiring"));
        for (long skew : new long[] {-60_000, 0, 60_000}) {
            assertThat(applyAt(run.logged(), stored, NOW + skew).result()).as("a member %d ms off", skew).isTrue();
        }
        Map<String, Entry> oneMore = new HashMap<>(stored);
        oneMore.put("other", new Entry(b("4"), NOW + 1));
        assertThat(applyAt(run.logged(), oneMore, NOW).result()).as("a key more, live as of the run").isFalse();
        oneMore.put("other", new Entry(b("4"), NOW - 1));
        assertThat(applyAt(run.logged(), oneMore, NOW).result()).as("a key more, expired as of the run").isTrue();
    }

    @Test
    void aListingAfterRemovingAKey_stillCountsItAsPresentBefore() throws Exception {
        Transaction<Void> removeThenList = v -> {
            v.remove(b("a"));
            v.set(b("n"), b(Integer.toString(v.keys().size())));
            return null;
        };
        Map<String, Entry> stored = Map.of("a", Entry.of(b("1")), "b", Entry.of(b("2")));
        Conditional logged = lead(removeThenList, leaders(stored, NOW)).logged();
        assertThat(logged.keys()).as("the keys present before the transaction wrote").containsExactlyInAnyOrder(b("a"), b("b"));
        assertThat(applyAt(logged, stored, NOW).result()).isTrue();
    }

    @Test
    void aRunAsOfAGivenTime_readsAndIsLoggedAsOfIt() throws Exception {
        Map<String, Entry> stored = Map.of("k", new Entry(b("v"), NOW + 100));
        Transaction<Boolean> present = v -> v.get(b("k")) != null;
        Conditional.Run before = Conditional.run(Write.transaction(present, NOW + 100), leaders(stored, NOW));
        Conditional.Run after = Conditional.run(Write.transaction(present, NOW + 101), leaders(stored, NOW));
        assertThat(before.result()).isEqualTo(true);
        assertThat(after.result()).isEqualTo(false);
        assertThat(after.logged().asOf()).isEqualTo(NOW + 101);
        assertThat(applyAt(after.logged(), stored, NOW).result()).isTrue();
    }

    @Test
    void aKeyStoredPastItsDeadline_removedByTheLeadersRun_isRemovedByEveryMember() throws Exception {
        Map<String, Entry> stored = Map.of("k", new Entry(b("v"), NOW - 1));
        Conditional.Run run = lead(v -> v.remove(b("k")), leaders(stored, NOW));
        assertThat(run.result()).as("it was not present").isEqualTo(false);
        assertThat(run.logged().writes()).containsExactly(new GroupView.Change(b("k"), null, Entry.NONE));
        GroupView.Ran<Boolean> applied = applyAt(run.logged(), stored, NOW - 60_000);
        assertThat(applied.result()).as("a member whose clock still shows the key").isTrue();
        assertThat(applied.changes()).containsExactly(new GroupView.Change(b("k"), null, Entry.NONE));
    }
}
