package kvs.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvs.engine.EngineOptions;
import kvs.engine.MvStoreEngine;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import kvs.store.Store;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpiryCycleTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private Store store;

    @BeforeEach
    void open() throws Exception {
        store = MvStoreEngine.open(dir, EngineOptions.defaults().withClock(clock));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    /** Sets {@code n} keys named {@code prefix + i}, each with {@code deadline} (or none). */
    private void fill(String prefix, int n, long deadline) throws Exception {
        List<Write<?>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(Write.set(Bytes.utf8(prefix + i), Bytes.utf8("v"), deadline));
        }
        store.writeAll(writes);
    }

    @Test
    void cyclesRemoveEveryExpiredKey_andNoOther() throws Exception {
        long deadline = clock.millis() + 1000;
        fill("t", 1000, deadline);
        fill("later", 100, deadline + 60_000);
        fill("p", 100, Entry.NONE);
        clock.set(deadline + 1);
        ExpiryCycle cycle = ExpiryCycle.manual(store);
        long removed = 0;
        for (int i = 0; i < 1000 && store.size() > 200; i++) {
            removed += cycle.runOnce(ExpiryCycle.BUDGET_NANOS);
        }
        assertThat(removed).isEqualTo(1000);
        assertThat(store.size()).isEqualTo(200);
        assertThat(store.figures().expiredKeys()).isEqualTo(1000);
        assertThat(store.figures().keysWithDeadline()).isEqualTo(100);
        assertThat(cycle.figures().removed()).isEqualTo(1000);
        assertThat(cycle.figures().avgTtlMillis()).as("the keys left expire in about a minute")
                .isBetween(59_000L, 60_000L);
    }

    @Test
    void aCycleStopsAtItsBudget_havingSampledOnce() throws Exception {
        long deadline = clock.millis() + 1000;
        fill("t", 1000, deadline);
        clock.set(deadline + 1);
        ExpiryCycle cycle = ExpiryCycle.manual(store);
        assertThat(cycle.runOnce(0)).isEqualTo(ExpiryCycle.KEYS_PER_LOOP);
        assertThat(cycle.figures().timeCapReached()).isEqualTo(1);
        assertThat(cycle.figures().stalePercent()).as("a moving average: 5% of one sample all expired").isEqualTo(5.0);
    }

    @Test
    void aCycleSamplesOnce_whenFewOfTheSampleHadExpired() throws Exception {
        long deadline = clock.millis() + 1000;
        fill("live", 1000, deadline + 60_000);
        fill("gone", 1, deadline);
        clock.set(deadline + 1);
        ExpiryCycle cycle = ExpiryCycle.manual(store);
        cycle.runOnce(ExpiryCycle.BUDGET_NANOS);
        assertThat(cycle.figures().timeCapReached()).isZero();
        assertThat(store.size()).as("at most the one expired key went").isBetween(1000L, 1001L);
    }

    @Test
    void withNoDeadlines_aCycleDoesNothing_andAvgTtlIsZero() throws Exception {
        fill("p", 10, Entry.NONE);
        ExpiryCycle cycle = ExpiryCycle.manual(store);
        assertThat(cycle.runOnce(ExpiryCycle.BUDGET_NANOS)).isZero();
        assertThat(cycle.figures().avgTtlMillis()).isZero();
        assertThat(store.size()).isEqualTo(10);
    }

    @Test
    void theBackgroundCycle_removesExpiredKeys_untilClosed() throws Exception {
        long deadline = clock.millis() + 1000;
        fill("t", 500, deadline);
        try (ExpiryCycle cycle = ExpiryCycle.start(store)) {
            clock.set(deadline + 1);
            // The cycle's figures, written after its removals: once they count all 500, the store is empty.
            await().atMost(Duration.ofSeconds(30)).until(() -> cycle.figures().removed() == 500);
            assertThat(store.size()).isZero();
            assertThat(cycle.figures().cycles()).isPositive();
        }
    }
}
