package kvs.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import kvs.KvsException;
import org.junit.jupiter.api.Test;

/**
 * Gathering: under {@code always} a leader whose last batch held two writers' writes waits (a
 * bounded time) for both to be queued again before it commits, so two writers share each fsync
 * instead of alternating batches of two and one.
 */
class GroupCommitTest {

    static final class Op extends GroupCommit.Op {
        final String name;

        Op(String name) {
            this.name = name;
        }
    }

    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

    private GroupCommit<Op> commits(Duration gather) {
        return new GroupCommit<>(batch -> batches.add(batch.stream().map(op -> op.name).toList()), gather.toNanos());
    }

    /**
     * Without a wait to gather, a leader on a virtual thread yields once before it takes the queue, so the
     * writers its carrier runs next join its batch. Shown on one carrier, in a JVM of its own (the carriers are
     * the JVM's): ten writers started together commit in one batch, not ten.
     */
    @Test
    void aLeaderOnAVirtualThread_letsTheWritersItsCarrierRunsNextJoinItsBatch() throws Exception {
        // Everything on the class path: these tests may run as a module patched with them.
        String classPath = String.join(java.io.File.pathSeparator, java.nio.file.Path.of(
                OneCarrier.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""));
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-Djdk.virtualThreadScheduler.parallelism=1", "-cp", classPath, OneCarrier.class.getName())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.exitValue()).as("exit; output: %s", out).isZero();
        assertThat(out).isEqualTo("[[w0, w1, w2, w3, w4, w5, w6, w7, w8, w9]]");
    }

    /** Ten virtual threads started by one (so all are queued on the one carrier before the first runs) each submit a write. */
    static final class OneCarrier {
        public static void main(String[] args) throws Exception {
            List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
            GroupCommit<Op> commits = new GroupCommit<>(batch -> batches.add(batch.stream().map(op -> op.name).toList()));
            List<Thread> writers = Collections.synchronizedList(new ArrayList<>());
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10; i++) {
                    String name = "w" + i;
                    writers.add(Thread.ofVirtual().start(() -> {
                        try {
                            commits.submit(new Op(name));
                        } catch (KvsException e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
            }).join();
            for (Thread w : writers) {
                w.join();
            }
            System.out.println(batches);
        }
    }

    @Test
    void aLeaderWhoseLastBatchHadTwoWriters_waitsForTheOtherOneBeforeCommitting() throws Exception {
        GroupCommit<Op> commits = commits(Duration.ofSeconds(30));
        Thread[] b = new Thread[1];
        long[] waitedNanos = new long[1];
        Thread a = twoWritersInOneBatch(commits, b, () -> {
            long t0 = System.nanoTime();
            commits.submit(new Op("a2")); // b2 comes 300 ms later: a2 waits for it
            waitedNanos[0] = System.nanoTime() - t0;
        }, () -> {
            Thread.sleep(300);
            commits.submit(new Op("b2"));
        });
        a.join();
        b[0].join();
        assertThat(batches).containsExactly(List.of("a1", "b1"), List.of("a2", "b2"));
        assertThat(waitedNanos[0]).as("a2's wait for b2").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void aWriterLeftAlone_isCommittedOnceTheGatherTimeIsUp_andTheNextAtOnce() throws Exception {
        GroupCommit<Op> commits = commits(Duration.ofSeconds(1));
        Thread[] b = new Thread[1];
        long[] nanos = new long[2];
        Thread a = twoWritersInOneBatch(commits, b, () -> {
            long t0 = System.nanoTime();
            commits.submit(new Op("a2")); // b has stopped: a2 goes alone after the gather time
            long t1 = System.nanoTime();
            commits.submit(new Op("a3")); // the last batch had one writer: no wait
            nanos[0] = t1 - t0;
            nanos[1] = System.nanoTime() - t1;
        }, () -> { });
        a.join();
        b[0].join();
        assertThat(batches).containsExactly(List.of("a1", "b1"), List.of("a2"), List.of("a3"));
        assertThat(nanos[0]).as("a2, alone after a batch of two").isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(nanos[1]).as("a3, after a batch of one").isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void withoutGathering_aLeaderCommitsWhatIsQueued() throws Exception {
        GroupCommit<Op> commits = commits(Duration.ZERO);
        Thread[] b = new Thread[1];
        Thread a = twoWritersInOneBatch(commits, b, () -> commits.submit(new Op("a2")), () -> { });
        a.join();
        b[0].join();
        assertThat(batches).containsExactly(List.of("a1", "b1"), List.of("a2"));
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * Writers a and b queue a1 and b1 while the leader lock is held, so one batch holds both;
     * then each runs its next step. Returns a; b is left in {@code b[0]}.
     */
    private Thread twoWritersInOneBatch(GroupCommit<Op> commits, Thread[] b, Step aNext, Step bNext) throws KvsException {
        Thread[] a = new Thread[1];
        commits.exclusive(() -> {
            a[0] = Thread.ofPlatform().name("writer-a").start(() -> run(() -> {
                commits.submit(new Op("a1"));
                aNext.run();
            }));
            await().atMost(Duration.ofSeconds(30)).until(() -> a[0].getState() == Thread.State.WAITING);
            b[0] = Thread.ofPlatform().name("writer-b").start(() -> run(() -> {
                commits.submit(new Op("b1"));
                bNext.run();
            }));
            await().atMost(Duration.ofSeconds(30)).until(() -> b[0].getState() == Thread.State.WAITING);
            return null;
        });
        return a[0];
    }

    private static void run(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
