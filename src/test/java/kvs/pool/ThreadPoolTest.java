package kvs.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The ThreadPool contract, over every pool. */
class ThreadPoolTest {

    static Stream<Arguments> pools() {
        return Stream.of(
                Arguments.of("naive", (IntFunction<ThreadPool>) NaiveThreadPool::new),
                Arguments.of("shared-queue", (IntFunction<ThreadPool>) SharedQueueThreadPool::new),
                Arguments.of("virtual", (IntFunction<ThreadPool>) VirtualThreadPool::new));
    }

    /** A failure without a stack trace, so the pool's log of it stays short. */
    private static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom() {
            super("expected by the test", null, false, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void twentyJobsOfAThousandIncrements_reachTwentyThousand(String name, IntFunction<ThreadPool> pool) {
        AtomicLong counter = new AtomicLong();
        try (ThreadPool p = pool.apply(4)) {
            for (int job = 0; job < 20; job++) {
                p.spawn(() -> {
                    for (int i = 0; i < 1000; i++) {
                        counter.incrementAndGet();
                    }
                });
            }
        } // close() waits for every job
        assertThat(counter.get()).isEqualTo(20_000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void throwingJobs_neverLowerTheThreadCount(String name, IntFunction<ThreadPool> pool) throws Exception {
        AtomicLong counter = new AtomicLong();
        try (ThreadPool p = pool.apply(4)) {
            for (int i = 0; i < 1000; i++) {
                p.spawn(() -> {
                    throw new Boom();
                });
            }
            CountDownLatch counted = new CountDownLatch(100);
            for (int i = 0; i < 100; i++) {
                p.spawn(() -> {
                    counter.incrementAndGet();
                    counted.countDown();
                });
            }
            assertThat(counted.await(30, TimeUnit.SECONDS)).as("jobs after the failures ran").isTrue();
            assertThat(counter.get()).isEqualTo(100);
            assertFourBlockingJobsRunAtOnce(p);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void close_leavesNoWorkerAlive_andRejectsNewJobs(String name, IntFunction<ThreadPool> pool) throws Exception {
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        ThreadPool p = pool.apply(4);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            p.spawn(() -> {
                workers.add(Thread.currentThread());
                started.countDown();
                await(release);
            });
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 100; i++) { // queued or running when close() starts: all finish first
            p.spawn(() -> workers.add(Thread.currentThread()));
        }
        release.countDown();
        p.close();
        assertThat(workers).isNotEmpty().noneMatch(Thread::isAlive);
        assertThatThrownBy(() -> p.spawn(() -> { })).isInstanceOf(RejectedExecutionException.class);
        p.close(); // a second close is harmless
    }

    @Test
    void aPoolNeedsAThread() {
        assertThatThrownBy(() -> new SharedQueueThreadPool(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The carrier count is the JVM's: asked for, it is set where the JVM was not told one, and the JVM's own wins. */
    @Test
    void useCarriers_setsTheSchedulersCount_unlessTheJvmWasGivenOne() {
        String before = System.getProperty(VirtualThreadPool.CARRIERS);
        try {
            System.clearProperty(VirtualThreadPool.CARRIERS);
            assertThat(VirtualThreadPool.useCarriers(3)).isEqualTo(3);
            assertThat(System.getProperty(VirtualThreadPool.CARRIERS)).isEqualTo("3");
            System.setProperty(VirtualThreadPool.CARRIERS, " 5");
            assertThat(VirtualThreadPool.useCarriers(1)).isEqualTo(5);
            assertThat(System.getProperty(VirtualThreadPool.CARRIERS)).isEqualTo(" 5");
            assertThatThrownBy(() -> VirtualThreadPool.useCarriers(0)).isInstanceOf(IllegalArgumentException.class);
            System.setProperty(VirtualThreadPool.CARRIERS, "two");
            assertThatThrownBy(() -> VirtualThreadPool.useCarriers(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'two'");
        } finally {
            if (before == null) {
                System.clearProperty(VirtualThreadPool.CARRIERS);
            } else {
                System.setProperty(VirtualThreadPool.CARRIERS, before);
            }
        }
    }

    @Test
    void named_givesEachPoolByItsCommandLineName() {
        try (ThreadPool naive = ThreadPool.named("naive", 1);
             ThreadPool shared = ThreadPool.named("shared-queue", 2);
             ThreadPool virtual = ThreadPool.named("virtual", 1)) {
            assertThat(naive).isInstanceOf(NaiveThreadPool.class);
            assertThat(shared).isInstanceOf(SharedQueueThreadPool.class);
            assertThat(virtual).isInstanceOf(VirtualThreadPool.class);
        }
        assertThatThrownBy(() -> ThreadPool.named("fork-join", 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pool 'fork-join': expected naive, shared-queue or virtual");
        assertThatThrownBy(() -> ThreadPool.named("shared-queue", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Four jobs that each wait for all four to start: only a pool with four live threads runs them. */
    private static void assertFourBlockingJobsRunAtOnce(ThreadPool p) throws InterruptedException {
        CountDownLatch together = new CountDownLatch(4);
        CountDownLatch done = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            p.spawn(() -> {
                together.countDown();
                if (await(together)) {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).as("4 blocking jobs all ran at once").isTrue();
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
