package kvs.engine;

import static kvs.engine.PowerLossStorage.Trigger.nth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kvs.KeyNotFoundException;
import kvs.check.Dirs;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.ManualClock;
import kvs.store.StoreFigures;
import kvs.store.Transaction;
import kvs.store.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KvStore's own promises about deadlines: they survive a close, a kill and a full scan; a key
 * whose deadline has passed is never served, before or after a restart; the expiry cycle's
 * conditional remove, a remove of an expired key, and the counts; compaction dropping expired
 * keys without bringing an older value back; the scan the expiry cycle samples with. Time moves
 * with a {@link ManualClock}.
 */
class KvStoreExpiryTest {

    private final ManualClock clock = new ManualClock();
    /** Small files, so keys spread over several; compaction only when a test calls for it. */
    private final EngineOptions options = EngineOptions.defaults().withClock(clock).withMaxFileSize(1 << 10)
            .withCompactionThreshold(Long.MAX_VALUE / 4);

    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    private static Bytes b(String s) {
        return Bytes.utf8(s);
    }

    @Test
    void deadlines_surviveClose_aFullScan_andAKill() throws Exception {
        Map<Bytes, Entry> model = new HashMap<>();
        long now = clock.millis();
        try (KvStore store = KvStore.open(dir, options)) {
            for (int i = 0; i < 200; i++) {
                Entry e = new Entry(b("value " + i), i % 2 == 0 ? now + 60_000 + i : Entry.NONE);
                store.set(b("k" + i), e.value(), e.deadline());
                model.put(b("k" + i), e);
            }
            for (int i = 0; i < 40; i++) { // a deadline taken away, another given, a key removed
                Entry e = new Entry(b("again " + i), i % 4 == 0 ? Entry.NONE : now + 90_000 + i);
                store.set(b("k" + i), e.value(), e.deadline());
                model.put(b("k" + i), e);
            }
            store.remove(b("k41"));
            model.remove(b("k41"));
            store.transact(view -> {
                view.set(b("t1"), b("in a transaction"), now + 5_000);
                view.set(b("t2"), b("and without"));
                return null;
            });
            model.put(b("t1"), new Entry(b("in a transaction"), now + 5_000));
            model.put(b("t2"), Entry.of(b("and without")));
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertHolds(store, model, "from the hints");
        }
        List<Path> hints = LogFiles.withSuffix(dir, LogFiles.HINT);
        assertThat(hints).hasSizeGreaterThan(1);
        for (Path h : hints) {
            Files.delete(h);
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertHolds(store, model, "from a scan of every log");
            store.set(b("late"), b("written before the kill"), now + 7_000);
            model.put(b("late"), new Entry(b("written before the kill"), now + 7_000));
            Path killed = scratch.resolve("killed");
            Dirs.copyTree(dir, killed); // what a kill -9 leaves: the active file unhinted, unsynced but written
            Files.delete(killed.resolve("LOCK"));
            try (KvStore after = KvStore.open(killed, options)) {
                assertHolds(after, model, "after a kill");
            }
        }
    }

    private static void assertHolds(KvStore store, Map<Bytes, Entry> model, String when) throws Exception {
        for (Map.Entry<Bytes, Entry> e : model.entrySet()) {
            assertThat(store.entry(e.getKey())).as("%s: %s", when, e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(store.size()).as(when).isEqualTo(model.size());
        assertThat(store.figures().keysWithDeadline()).as("%s: keys with a deadline", when)
                .isEqualTo(model.values().stream().filter(Entry::hasDeadline).count());
    }

    @Test
    void aKeyWhoseDeadlinePassedWhileClosed_isNeverServedAfterOpen_norAfterAKill() throws Exception {
        long deadline = clock.millis() + 1_000;
        try (KvStore store = KvStore.open(dir, options)) {
            store.set(b("short"), b("s"), deadline);
            store.set(b("long"), b("l"), deadline + 1_000_000);
            store.set(b("none"), b("n"));
            Dirs.copyTree(dir, scratch.resolve("killed"));
            Files.delete(scratch.resolve("killed").resolve("LOCK"));
        }
        clock.set(deadline);
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.get(b("short"))).as("at its deadline").isEqualTo(b("s"));
        }
        clock.set(deadline + 1);
        for (Path d : List.of(dir, scratch.resolve("killed"))) {
            try (KvStore store = KvStore.open(d, options)) {
                assertThat(store.get(b("short"))).as("%s: get", d).isNull();
                assertThat(store.entry(b("short"))).as("%s: entry", d).isNull();
                assertThat(store.get("short")).as("%s: talent-plan's get", d).isEmpty();
                Set<Bytes> keys = new HashSet<>();
                store.keys().forEachRemaining(keys::add);
                assertThat(keys).as("%s: keys", d).containsExactlyInAnyOrder(b("long"), b("none"));
                assertThat(store.size()).as("%s: stored keys, the expired one too", d).isEqualTo(3);
                assertThat(store.entry(b("long"))).isEqualTo(new Entry(b("l"), deadline + 1_000_000));
            }
        }
    }

    @Test
    void removeExpired_removesAKeyOnlyWhileItsDeadlineIsTheOneFound() throws Exception {
        long d1 = clock.millis() + 10;
        try (KvStore store = KvStore.open(dir, options)) {
            store.set(b("k"), b("v"), d1);
            store.set(b("plain"), b("v"));
            clock.advance(11);
            long bytes = store.figures().totalBytes();
            assertThat(removeExpired(store, "k", d1 + 1)).as("another deadline").isFalse();
            assertThat(removeExpired(store, "plain", d1)).as("a key without one").isFalse();
            assertThat(removeExpired(store, "absent", d1)).as("an absent key").isFalse();
            assertThat(store.figures().totalBytes()).as("nothing written").isEqualTo(bytes);
            assertThat(removeExpired(store, "k", d1)).isTrue();
            assertThat(store.size()).isEqualTo(1);
            assertThat(removeExpired(store, "k", d1)).as("once removed").isFalse();

            long d2 = clock.millis() + 100;
            store.set(b("k"), b("set again"), d2);
            assertThat(removeExpired(store, "k", d1)).as("set again since it was found").isFalse();
            assertThat(store.get(b("k"))).isEqualTo(b("set again"));

            // In one batch, a removal goes by the batch's earlier writes of the key
            long d3 = d2 + 1;
            Write.RemoveExpired stale = Write.removeExpired(b("k"), d2);
            store.writeAll(List.of(Write.set(b("k"), b("third"), d3), stale));
            assertThat(stale.outcome().get()).as("after a set of the batch").isFalse();
            Write.RemoveExpired current = Write.removeExpired(b("k"), d3);
            Write.RemoveExpired twice = Write.removeExpired(b("k"), d3);
            store.writeAll(List.of(current, twice));
            assertThat(current.outcome().get()).isTrue();
            assertThat(twice.outcome().get()).as("after the batch removed it").isFalse();
            Write.RemoveExpired afterTxn = Write.removeExpired(b("t"), d3);
            store.writeAll(List.of(Write.transaction(view -> {
                view.set(b("t"), b("from a transaction"), d3);
                return null;
            }), afterTxn));
            assertThat(afterTxn.outcome().get()).as("a key a transaction of the batch set").isTrue();
            assertThat(store.figures().expiredKeys()).isEqualTo(3);
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.entry(b("k"))).as("the removals are in the log").isNull();
            assertThat(store.size()).isEqualTo(1);
            assertThat(store.get(b("plain"))).isEqualTo(b("v"));
        }
    }

    private static boolean removeExpired(KvStore store, String key, long deadline) throws Exception {
        Write.RemoveExpired w = Write.removeExpired(b(key), deadline);
        store.writeAll(List.of(w));
        return w.outcome().get();
    }

    @Test
    void remove_ofAKeyPastItsDeadline_writesItsTombstone_butFindsItAbsent() throws Exception {
        long deadline = clock.millis() + 10;
        try (KvStore store = KvStore.open(dir, options)) {
            store.set(b("a"), b("1"), deadline);
            store.set(b("b"), b("2"), deadline);
            store.set(b("c"), b("3"), deadline);
            clock.advance(11);
            assertThat(store.remove(b("a"))).isFalse();
            Write.Remove remove = Write.remove(b("b"));
            store.writeAll(List.of(remove));
            assertThat(remove.outcome().get()).isFalse();
            assertThatThrownBy(() -> store.remove("c")).isInstanceOf(KeyNotFoundException.class);
            assertThat(store.size()).as("all three removed").isZero();
            StoreFigures f = store.figures();
            assertThat(f.expiredKeys()).isEqualTo(3);
            assertThat(f.keysWithDeadline()).isZero();
        }
        clock.set(deadline - 1); // even a clock that went back finds them removed
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.size()).isZero();
            assertThat(store.get(b("a"))).isNull();
        }
    }

    @Test
    void expiredKeys_countsEachWriteThatReplacesOrRemovesAKeyPastItsDeadline() throws Exception {
        long soon = clock.millis() + 10;
        long later = clock.millis() + 1_000;
        try (KvStore store = KvStore.open(dir, options)) {
            for (String k : List.of("a", "b", "c", "d", "e")) {
                store.set(b(k), b(k), soon);
            }
            store.set(b("f"), b("f"), later);
            store.set(b("g"), b("g"), later);
            assertThat(store.figures().keysWithDeadline()).isEqualTo(7);
            clock.advance(11);
            store.set(b("a"), b("again")); // +1
            store.set(b("f"), b("again"), later); // not expired: +0
            store.transact(view -> { // +2: a set and a remove of expired keys
                view.set(b("b"), b("again"));
                assertThat(view.remove(b("c"))).as("an expired key is removed but was not present").isFalse();
                return null;
            });
            assertThat(removeExpired(store, "d", soon)).isTrue(); // +1
            assertThat(store.remove(b("e"))).isFalse(); // +1
            assertThat(removeExpired(store, "g", later)).as("removed though not yet expired").isTrue(); // +1
            store.set(b("fresh"), b("new"), later); // +0
            StoreFigures f = store.figures();
            assertThat(f.expiredKeys()).isEqualTo(6);
            assertThat(f.keysWithDeadline()).as("f and fresh").isEqualTo(2);
            assertThat(f.keys()).as("a, b, f and fresh").isEqualTo(4);
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.figures().keysWithDeadline()).as("counted again by recovery").isEqualTo(2);
            assertThat(store.figures().expiredKeys()).as("since the store opened").isZero();
        }
    }

    @Test
    void aTransaction_readsDeadlinesAsOfItsTime_andWritesThem() throws Exception {
        long now = clock.millis();
        try (KvStore store = KvStore.open(dir, options)) {
            store.set(b("k"), b("v"), now + 100);
            assertThat(readAsOf(store, now + 100)).isEqualTo(new Entry(b("v"), now + 100));
            assertThat(readAsOf(store, now + 101)).as("after its deadline").isNull();
            Entry read = store.transact(view -> view.entry(b("k")));
            assertThat(read).as("as of the clock").isNotNull();
            clock.advance(101);
            Bytes moved = store.transact(view -> view.get(b("k")));
            assertThat(moved).as("as of the clock, moved").isNull();
            Collection<Bytes> stored = store.transact(Transaction.View::keys);
            assertThat(stored).as("the keys stored").containsExactly(b("k"));
            store.transact(view -> {
                view.set(b("x"), b("1"), now + 5_000);
                view.set(b("k"), b("renewed"), now + 6_000);
                return null;
            });
            assertThat(store.figures().expiredKeys()).as("k replaced after its deadline").isEqualTo(1);
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.entry(b("x"))).isEqualTo(new Entry(b("1"), now + 5_000));
            assertThat(store.entry(b("k"))).isEqualTo(new Entry(b("renewed"), now + 6_000));
        }
    }

    private static Entry readAsOf(KvStore store, long asOf) throws Exception {
        Write.Txn<Entry> txn = Write.transaction(view -> view.entry(b("k")), asOf);
        store.writeAll(List.of(txn));
        return txn.outcome().get();
    }

    @Test
    void compaction_dropsExpiredKeys_andNoOlderValueComesBack() throws Exception {
        long now = clock.millis();
        try (KvStore store = KvStore.open(dir, options)) {
            store.set(b("k"), b("the old value, without a deadline"));
            store.set(b("gone"), b("removed"));
            store.remove(b("gone"));
            fill(store, "a", 20); // rolls files, so k's old record sits in an older sealed file
            store.set(b("k"), b("the new value"), now + 10);
            store.set(b("gone"), b("set again"), now + 10);
            store.set(b("lasting"), b("l"), now + 60_000);
            fill(store, "b", 20);
            long liveBefore = store.figures().liveBytes();
            clock.advance(11);
            store.compactNow();
            StoreFigures f = store.figures();
            assertThat(f.expiredKeys()).isEqualTo(2);
            assertThat(f.keys()).isEqualTo(41);
            assertThat(f.keysWithDeadline()).isEqualTo(1);
            assertThat(f.liveBytes()).as("live bytes, less the two records dropped")
                    .isEqualTo(liveBefore - Record.length(1, 13, true) - Record.length(4, 9, true));
            assertThat(store.indexSnapshot()).doesNotContainKeys("k", "gone");
            assertThat(store.entry(b("lasting"))).as("copied with its deadline").isEqualTo(new Entry(b("l"), now + 60_000));
        }
        clock.set(now); // a clock that went back cannot bring them back either: their records are gone
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.get(b("k"))).isNull();
            assertThat(store.get(b("gone"))).isNull();
            assertThat(store.size()).isEqualTo(41);
            assertThat(store.entry(b("lasting"))).isEqualTo(new Entry(b("l"), now + 60_000));
        }
    }

    private static void fill(KvStore store, String prefix, int keys) throws Exception {
        for (int i = 0; i < keys; i++) {
            store.set(b(prefix + i), b("x".repeat(100)));
        }
    }

    @Test
    void compaction_withoutExpiring_copiesExpiredRecordsAsLiveOnes() throws Exception {
        EngineOptions member = options.withCompactionExpires(false);
        long now = clock.millis();
        try (KvStore store = KvStore.open(dir, member)) {
            store.set(b("k"), b("v"), now + 10);
            fill(store, "a", 20);
            clock.advance(11);
            store.compactNow();
            assertThat(store.get(b("k"))).isNull();
            assertThat(store.size()).as("still stored").isEqualTo(21);
            assertThat(store.figures().expiredKeys()).isZero();
            assertThat(store.scanDeadlines(10)).containsExactly(new KeyDeadline(b("k"), now + 10));
        }
        clock.set(now);
        try (KvStore store = KvStore.open(dir, member)) {
            assertThat(store.entry(b("k"))).as("its record was copied").isEqualTo(new Entry(b("v"), now + 10));
        }
    }

    /** A key written while the compaction runs is not removed by it, though its old record had expired. */
    @Test
    void aKeyWrittenDuringCompaction_isNotRemovedByIt() throws Exception {
        long now = clock.millis();
        PowerLossStorage disk = PowerLossStorage.over(dir);
        try (KvStore store = KvStore.open(dir, options, disk, /* background= */ false)) {
            store.set(b("kept"), b("1"));
            store.set(b("renewed"), b("old"), now + 10);
            store.set(b("removed"), b("old"), now + 10);
            fill(store, "a", 20);
            clock.advance(11);
            // The first output file is created as the first live record is copied, before the swaps
            disk.runWhen(nth(1, "create", ".log.tmp"), () -> {
                store.set(b("renewed"), b("new"), now + 60_000);
                store.remove(b("removed"));
            });
            store.compactNow();
            assertThat(store.entry(b("renewed"))).isEqualTo(new Entry(b("new"), now + 60_000));
            assertThat(store.figures().expiredKeys()).as("the writes removed them, not the compaction").isEqualTo(2);
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.entry(b("renewed"))).isEqualTo(new Entry(b("new"), now + 60_000));
            assertThat(store.get(b("removed"))).isNull();
            assertThat(store.get(b("kept"))).isEqualTo(b("1"));
        }
    }

    @Test
    void scanDeadlines_findsNothingWithoutDeadlines_andEveryKeyWithOneAsItGoesRound() throws Exception {
        long now = clock.millis();
        try (KvStore store = KvStore.open(dir, options)) {
            for (int i = 0; i < 500; i++) {
                store.set(b("plain" + i), b("v"));
            }
            assertThat(store.scanDeadlines(20)).isEmpty();
            Map<Bytes, Long> deadlines = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                long d = now + (i % 2 == 0 ? 10 : 60_000) + i;
                store.set(b("d" + i), b("v"), d);
                deadlines.put(b("d" + i), d);
            }
            Map<Bytes, Long> seen = new HashMap<>();
            for (int call = 0; call < 200 && !seen.equals(deadlines); call++) {
                List<KeyDeadline> found = store.scanDeadlines(20);
                assertThat(found).hasSizeLessThanOrEqualTo(20);
                found.forEach(kd -> seen.put(kd.key(), kd.deadline()));
            }
            assertThat(seen).as("every key with a deadline, found within a few rounds").isEqualTo(deadlines);

            // The expiry cycle: remove what has passed, as found
            clock.advance(1_000);
            for (int call = 0; call < 200; call++) {
                for (KeyDeadline kd : store.scanDeadlines(20)) {
                    if (Entry.expired(kd.deadline(), clock.millis())) {
                        store.writeAll(List.of(Write.removeExpired(kd.key(), kd.deadline())));
                    }
                }
            }
            StoreFigures f = store.figures();
            assertThat(f.expiredKeys()).isEqualTo(150);
            assertThat(f.keysWithDeadline()).isEqualTo(150);
            assertThat(f.keys()).isEqualTo(650);
        }
        KvStore closed = KvStore.open(dir, options);
        closed.close();
        assertThatThrownBy(() -> closed.scanDeadlines(1)).isInstanceOf(IllegalStateException.class);
    }
}
