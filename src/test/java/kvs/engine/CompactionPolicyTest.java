package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import kvs.KvsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When compaction starts, when writers wait for it, and what it refuses to copy. */
class CompactionPolicyTest {

    @TempDir
    Path dir;

    @Test
    void theRule_dueAtTheLiveBytes_urgentAtEightTimes_writersWaitAtSixteen() {
        long threshold = 1000;
        LogSizes small = new LogSizes(100, 100 + 999); // live well under the threshold: the threshold rules
        assertThat(small.compactionDue(threshold)).isFalse();
        small.add(0, 1);
        assertThat(small.compactionDue(threshold)).isTrue();
        assertThat(small.compactionUrgent(threshold)).as("urgent at the threshold too").isTrue();
        small.add(0, 999);
        assertThat(small.writesMustWait(threshold)).isFalse();
        small.add(0, 1);
        assertThat(small.writesMustWait(threshold)).as("stale at twice the threshold").isTrue();

        LogSizes large = new LogSizes(10_000, 10_000 + 9_999);
        assertThat(large.compactionDue(threshold)).isFalse();
        large.add(0, 1);
        assertThat(large.compactionDue(threshold)).as("stale = live").isTrue();
        assertThat(large.compactionUrgent(threshold)).isFalse();
        large.add(0, 70_000 - 1);
        assertThat(large.compactionUrgent(threshold)).isFalse();
        large.add(0, 1);
        assertThat(large.compactionUrgent(threshold)).as("stale = 8 x live").isTrue();
        assertThat(large.writesMustWait(threshold)).isFalse();
        large.add(0, 80_000);
        assertThat(large.writesMustWait(threshold)).as("stale = 16 x live").isTrue();
        assertThat(large.settleDue(threshold)).isTrue();
    }

    /**
     * A writer that outruns the compaction (here, one held at its first output file) waits once
     * the stale bytes reach twice the urgent level, and goes on when the compaction has made room.
     */
    @Test
    void aWriterFasterThanTheCompaction_waitsForIt_andLosesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Storage held = new DelegatingStorage(Storage.DISK) {
            @Override
            public Appender create(Path file) throws IOException {
                if (file.getFileName().toString().endsWith(LogFiles.LOG + LogFiles.TMP)) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
                return super.create(file);
            }
        };
        long threshold = 64 << 10;
        EngineOptions options = EngineOptions.defaults().withCompactionThreshold(threshold);
        String value = "v".repeat(100);
        KvStore store = KvStore.open(dir, options, held, /* background= */ true);
        try {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int rounds = 60; // about 7 MB of writes over 118 KB of live records
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        for (int k = 0; k < 1000; k++) {
                            store.set(String.format("key%03d", k), value + String.format("%03d", round));
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForRoom(writer));
            long live = 1000L * Record.length(6, 103);
            long limit = 2 * Math.max(threshold, LogSizes.URGENT_RATIO * live);
            assertThat(KvStoreTest.dirSize(dir)).as("the log while the writer waits")
                    .isLessThan(live + limit + (256 << 10));
            assertThat(writer.isAlive()).isTrue();
            release.countDown();
            writer.join(30_000);
            assertThat(writer.isAlive()).as("the writer finished once compaction ran").isFalse();
            assertThat(failure.get()).isNull();
            assertThat(store.compactions()).isPositive();
            assertThat(store.get("key000")).hasValue(value + String.format("%03d", rounds - 1));
            assertThat(store.get("key999")).hasValue(value + String.format("%03d", rounds - 1));
        } finally {
            release.countDown(); // else close() would wait for a compaction held forever
            store.close();
        }
    }

    private static boolean waitingForRoom(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitRoom"))
                && t.getState() == Thread.State.TIMED_WAITING;
    }

    /** A live record damaged on disk fails the compaction, which deletes nothing; its key's other records stay. */
    @Test
    void aDamagedLiveRecord_failsTheCompaction_whichDeletesNothing() throws Exception {
        EngineOptions options = EngineOptions.defaults().withCompactionThreshold(Long.MAX_VALUE / 4);
        try (KvStore store = KvStore.open(dir, options)) {
            for (int k = 0; k < 100; k++) {
                store.set("key" + k, "value" + k);
            }
            store.compactNow(); // the records now sit in a sealed file
            store.set("key1", "newer");
            Loc damaged = store.indexSnapshot().get("key7");
            try (FileChannel ch = FileChannel.open(LogFiles.log(dir, damaged.file()), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'X'}), damaged.offset() + damaged.length() - 1L);
            }
            List<Integer> before = LogFiles.logIds(dir);

            assertThatThrownBy(store::compactNow).isInstanceOf(KvsException.class)
                    .hasMessageContaining("key7");

            assertThat(LogFiles.logIds(dir)).as("logs after the failed compaction").containsAll(before);
            assertThat(store.indexSnapshot().get("key7")).as("key7's entry").isEqualTo(damaged);
            assertThat(store.get("key1")).hasValue("newer");
            assertThat(store.get("key8")).hasValue("value8");
        }
    }

    /** Passes every call to another storage; tests override what they need. */
    private static class DelegatingStorage implements Storage {
        private final Storage inner;

        DelegatingStorage(Storage inner) {
            this.inner = inner;
        }

        @Override
        public Appender create(Path file) throws IOException {
            return inner.create(file);
        }

        @Override
        public FileChannel openRead(Path file) throws IOException {
            return inner.openRead(file);
        }

        @Override
        public void truncate(Path file, long size) throws IOException {
            inner.truncate(file, size);
        }

        @Override
        public void sync(Path file) throws IOException {
            inner.sync(file);
        }

        @Override
        public void move(Path from, Path to) throws IOException {
            inner.move(from, to);
        }

        @Override
        public void delete(Path file) throws IOException {
            inner.delete(file);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            inner.syncDirectory(dir);
        }
    }
}
