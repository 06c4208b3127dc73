package kvs.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class PeriodicTest {

    @Test
    void aFailingRun_isRunAgain_andCloseEndsTheThread() {
        AtomicInteger calls = new AtomicInteger();
        Periodic sync = new Periodic("test-sync", Duration.ofMillis(50), () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("disk on fire");
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 2);
        sync.close();
        assertThat(sync.isAlive()).isFalse();
        int after = calls.get();
        sync.close();
        assertThat(calls.get()).isEqualTo(after);
    }
}
