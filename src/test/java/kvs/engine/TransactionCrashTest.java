package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import kvs.check.Dirs;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction's records (an MSET's) survive a crash all or none: a log cut anywhere inside
 * them, as a power loss may leave it, reopens without any of them and with everything before;
 * a deadline among them comes back with its key, and a key whose deadline passed before the
 * reopen is not served at any cut.
 */
class TransactionCrashTest {

    @TempDir
    Path dir;

    @Test
    void aLogCutInsideATransaction_reopensWithNoneOfIt_andEverythingBefore() throws Exception {
        Path original = Files.createDirectories(dir.resolve("original"));
        ManualClock clock = new ManualClock();
        EngineOptions options = EngineOptions.defaults().withClock(clock);
        long hour = clock.millis() + 3_600_000;
        try (KvStore store = KvStore.open(original, options)) {
            store.set("before", "1");
            store.set(Bytes.utf8("short"), Bytes.utf8("s"), clock.millis() + 10);
            store.transact(view -> {
                view.set(Bytes.utf8("a"), Bytes.utf8("alpha"));
                view.set(Bytes.utf8("b"), Bytes.utf8("beta"), hour);
                view.remove(Bytes.utf8("before"));
                view.set(Bytes.utf8("c"), Bytes.utf8("gamma"));
                return null;
            });
            store.set("c", "again"); // another record after the transaction: the cut below drops it too
        }
        clock.advance(11); // "short" has expired by every reopen
        int id = LogFiles.logIds(original).getLast();
        Path log = LogFiles.log(original, id);
        long size = Files.size(log);
        int beforeRecord = Record.length(6, 1) + Record.length(5, 1, true);
        int transaction = Record.length(1, 5) + Record.length(1, 4, true) + Record.length(6, 0) + Record.length(1, 5);
        long lastRecord = size - beforeRecord - transaction;
        assertThat(lastRecord).as("the record after the transaction").isEqualTo(Record.length(1, 5));
        for (long cut = beforeRecord; cut <= size; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            Dirs.copyTree(original, copy);
            Files.delete(LogFiles.hint(copy, id)); // a crash leaves the newest file without its hint
            try (var channel = java.nio.channels.FileChannel.open(LogFiles.log(copy, id),
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }
            try (KvStore store = KvStore.open(copy, options)) {
                assertThat(store.get("short")).as("cut at %d: a key past its deadline", cut).isEmpty();
                if (cut < beforeRecord + transaction) {
                    assertThat(store.get("before")).as("cut at %d", cut).hasValue("1");
                    assertThat(store.get("a")).as("cut at %d", cut).isEmpty();
                    assertThat(store.get("b")).as("cut at %d", cut).isEmpty();
                    assertThat(store.get("c")).as("cut at %d", cut).isEmpty();
                } else {
                    assertThat(store.get("before")).as("cut at %d", cut).isEmpty();
                    assertThat(store.get("a")).as("cut at %d", cut).hasValue("alpha");
                    assertThat(store.entry(Bytes.utf8("b"))).as("cut at %d", cut)
                            .isEqualTo(new Entry(Bytes.utf8("beta"), hour));
                    assertThat(store.get("c")).as("cut at %d", cut).hasValue(cut == size ? "again" : "gamma");
                }
            }
            Dirs.deleteTree(copy);
        }
    }

    @Test
    void compaction_copiesATransactionsRecordsAsRecordsOfTheirOwn() throws Exception {
        ManualClock clock = new ManualClock();
        EngineOptions options = EngineOptions.defaults().withMaxFileSize(4096).withClock(clock);
        long deadline = clock.millis() + 60_000;
        try (KvStore store = KvStore.open(dir, options)) {
            store.transact(view -> {
                view.set(Bytes.utf8("x"), Bytes.utf8("1"));
                view.set(Bytes.utf8("y"), Bytes.utf8("2"), deadline);
                return null;
            });
            for (int i = 0; i < 200; i++) {
                store.set("filler", "v".repeat(100) + i); // rolls files over, so the transaction's file is sealed
            }
            store.compactNow();
        }
        // Every sealed file was compacted: no record anywhere is still marked as part of a
        // transaction, so none can be taken for a transaction cut short, whichever file is newest.
        for (int id : LogFiles.logIds(dir)) {
            byte[] bytes = Files.readAllBytes(LogFiles.log(dir, id));
            for (int off = 0; off < bytes.length; ) {
                assertThat(Record.continued(bytes, off)).as("file %d, offset %d", id, off).isFalse();
                off += Record.length(bytes, off);
            }
        }
        try (KvStore store = KvStore.open(dir, options)) {
            assertThat(store.get("x")).hasValue("1");
            assertThat(store.entry(Bytes.utf8("y"))).as("copied with its deadline").isEqualTo(new Entry(Bytes.utf8("2"), deadline));
        }
    }
}
