package kvs.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

import kvs.KvsException;
import kvs.concurrent.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background maintenance on one platform daemon thread, woken by signals: compacts, and writes
 * hint files for the sealed log files that compaction did not just merge. The rule (STORAGE.md):
 * <ul>
 * <li>a compaction is due when the stale bytes reach max(threshold, live bytes);</li>
 * <li>it is paced: after a compaction that took CPU time t, the next waits until {@link #PACE}
 *     × t has passed since it ended, so compaction takes at most about 5% of one core however
 *     fast writes come; a small store's compactions cost little, so they come as often as due;</li>
 * <li>past max(threshold, 8 × live) stale bytes it starts at once, paced or not, and writers wait
 *     ({@link #awaitRoom}) while the stale bytes stand at twice that, so a writer faster than the
 *     compaction cannot grow the log without bound;</li>
 * <li>a store that has had no writes for {@link #SETTLE_NANOS} compacts once its stale bytes
 *     reach max(threshold, live / 2), so a store at rest keeps at most about 1.5 times its live
 *     records (the thread waits with a timeout only while that is pending).</li>
 * </ul>
 *
 * <p>Compaction merges every sealed file. It reserves ids between them and a fresh active file
 * (so its output replays after its inputs and before newer writes), copies each record the index
 * (of the keys, or of the store's metadata) still points at (found through the index, and read in windows in file order, so the stale
 * records are never parsed or looked up) into {@code .tmp} files, syncs them, renames them into
 * place and syncs the directory; then it swaps each index entry only if it still points at the
 * copied record (a newer write wins), syncs the active file, and deletes
 * the inputs oldest first, so a crash or a power loss at any step loses nothing and an older
 * value never outlives the tombstone that removed it.
 *
 * <p>With {@code options.compactionExpires()}, a live record of a key whose deadline has passed
 * (by the clock as the compaction starts) is not copied, and once the output is durable its
 * index entry is removed, if it is still the key's entry (a write of the key since wins). No
 * older value of the key can come back: every older record of it is in an input too, and the
 * dropped record's input, being the newest of them, is deleted last; a crash before leaves it to
 * replay over them, expired as before (STORAGE.md, "Compaction").
 *
 * <p>A record left out because a newer write superseded it goes with its input; the newer record
 * may sit in the active file, unsynced under {@code never} and {@code everysec}. Syncing the
 * active file before the first delete makes every superseding record durable first: records are
 * appended before the index points at them, and a file that rolled over since was synced when it
 * was sealed. A power loss after the compaction thus leaves each key its newer value, never neither.
 */
final class Compactor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    /** The writer's side of a compaction. */
    interface ActiveLog {
        /** Seals the active file, reserving ids for the output; runs with writes held off. */
        int roll(int reserve) throws KvsException;

        /** Forces every record appended so far to stable storage; safe while writes go on. */
        void sync() throws IOException;

        /** Runs {@code action} with writes held off (the index has one writer at a time) and returns its result. */
        int holdingWrites(IntSupplier action) throws KvsException;
    }

    /**
     * Pacing: after a compaction that took CPU time t, the next waits until PACE × t has passed
     * since it ended (unless the stale bytes are urgent), so compaction takes at most about
     * 1/(PACE + 1) of one core, 5%, however fast writes come.
     */
    static final long PACE = 19;

    /** How long a store must go without writes before it compacts to settle. */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Storage storage;
    private final Path dir;
    private final KeyIndex index;
    /** The store's metadata: its records are copied as the keys' are. */
    private final KeyIndex meta;
    private final Readers readers;
    private final LogSizes sizes;
    private final EngineOptions options;
    /** Handed to each pass, which keeps cached values across its swaps. */
    private final ValueCache cache;
    private final ActiveLog activeLog;
    private final Thread thread;
    /** Sealed files still without a hint. */
    private final ConcurrentLinkedQueue<Integer> unhinted = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    /** Signalled after each compaction, for writers waiting in {@link #awaitRoom}. */
    private final Condition compacted = lock.newCondition();
    /** Held while hints are written or a compaction runs: the thread's and {@link #compactNow}'s. */
    private final ReentrantLock working = new ReentrantLock();
    /** Guarded by lock. */
    private boolean signalled;
    private volatile boolean stopping;
    /** When the last batch of writes was committed ({@link System#nanoTime}); written by the commit leader. */
    private volatile long lastWrite = System.nanoTime();
    /** No compaction starts before this ({@link System#nanoTime}) unless urgent; written by the compactor thread. */
    private volatile long pacedUntil = System.nanoTime();
    /** Compaction after a failure waits until the log grows by another threshold; written by the compactor thread. */
    private volatile long retryAtTotal;
    /** Whether the thread is waiting for the store to come to rest, to compact it then. */
    private volatile boolean watching;
    /** Measures the compactions' CPU time, for pacing; the compactor thread's, made on its first use. */
    private ThreadMXBean threads;
    /** Completed compactions, for tests and stats. */
    private volatile long compactions;
    /** How long the last compaction took; written by the compacting thread. */
    private volatile long lastMillis;
    /** Keys removed because their deadline had passed; written by the compacting thread. */
    private volatile long expired;

    Compactor(Storage storage, Path dir, KeyIndex index, KeyIndex meta, Readers readers, LogSizes sizes,
              EngineOptions options, ValueCache cache, ActiveLog activeLog) {
        this.storage = storage;
        this.cache = cache;
        this.dir = dir;
        this.index = index;
        this.meta = meta;
        this.readers = readers;
        this.sizes = sizes;
        this.options = options;
        this.activeLog = activeLog;
        this.thread = Thread.ofPlatform().name("kvs-compactor-" + dir.getFileName()).daemon(true)
                .unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Queues a hint file for the sealed file {@code id}. */
    void sealed(int id) {
        unhinted.add(id);
        wake();
    }

    /**
     * Called after each batch of writes: wakes the thread if a compaction should start now, or if
     * one would once the store comes to rest and the thread is not yet watching for that.
     */
    void written() {
        lastWrite = System.nanoTime();
        if (startsNow() || (!watching && settleDue())) {
            wake();
        }
    }

    /** Asks the thread to check whether compaction is due. */
    void wake() {
        lock.lock();
        try {
            signalled = true;
            wakeUp.signal();
        } finally {
            lock.unlock();
        }
    }

    long compactions() {
        return compactions;
    }

    /** How long the last compaction took, in milliseconds; 0 before the first. */
    long lastMillis() {
        return lastMillis;
    }

    /** Keys compactions removed because their deadline had passed. */
    long expired() {
        return expired;
    }

    private void loop() {
        while (!stopping) {
            boolean settling = settleDue();
            watching = settling;
            long now = System.nanoTime();
            long wait = !due() ? Long.MAX_VALUE : sizes.compactionUrgent(options.compactionThreshold()) ? 0
                    : pacedUntil - now;
            if (settling) {
                wait = Math.min(wait, lastWrite + SETTLE_NANOS - now);
            }
            if (wait > 0) {
                awaitSignal(wait);
            }
            if (stopping) {
                return;
            }
            working.lock();
            try {
                while (!stopping && startsNow()) {
                    long cpu = cpuTime();
                    long started = System.nanoTime();
                    compact();
                    long ended = System.nanoTime();
                    // At most 1/PACE of the time: CPU time if the JVM measures it, else the wall time
                    pacedUntil = ended + PACE * (cpu < 0 ? ended - started : cpuTime() - cpu);
                    signalRoom();
                }
                if (!stopping && settleDue() && System.nanoTime() - lastWrite >= SETTLE_NANOS) {
                    log.info("{} has had no writes for {} s: compacting to settle", dir,
                            TimeUnit.NANOSECONDS.toSeconds(SETTLE_NANOS));
                    compact();
                }
                if (!due()) { // else the next compaction merges the sealed files: a hint of them would be wasted
                    writeHints();
                }
            } catch (CompactionPass.Cancelled e) {
                log.debug("compaction of {} cancelled: the store is closing", dir);
            } catch (Exception e) {
                retryAtTotal = sizes.get().total() + options.compactionThreshold();
                log.error("compaction of {} failed; it will be retried once the log grows", dir, e);
            } finally {
                working.unlock();
                signalRoom();
            }
        }
    }

    /** Whether stale bytes call for a compaction, and no failed one waits for the log to grow first. */
    private boolean due() {
        return sizes.compactionDue(options.compactionThreshold()) && mayRetry();
    }

    /** Whether no failed compaction still waits for the log to grow by another threshold. */
    private boolean mayRetry() {
        return sizes.get().total() >= retryAtTotal;
    }

    /** Whether a compaction should start now: it is due, and its pacing has passed or the stale bytes are urgent. */
    private boolean startsNow() {
        return due() && (sizes.compactionUrgent(options.compactionThreshold()) || System.nanoTime() - pacedUntil >= 0);
    }

    /** This thread's CPU time in nanoseconds, or -1 where the JVM does not measure it. */
    private long cpuTime() {
        if (threads == null) {
            threads = ManagementFactory.getThreadMXBean();
        }
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /**
     * Called by a writer before it queues a write, never while it holds writes off: while the
     * stale bytes stand at twice the urgent level ({@link LogSizes#writesMustWait}), where the
     * compaction thread has one running or about to start, waits for the compaction to make room. Returns at once otherwise: after a failed
     * compaction (until the log grows enough to retry it), once the store closes, or when no
     * compaction thread runs.
     */
    void awaitRoom() {
        if (!mustWait()) {
            return; // the common case: one volatile read and a comparison
        }
        lock.lock();
        try {
            while (mustWait()) {
                try {
                    compacted.await(100, TimeUnit.MILLISECONDS); // rechecks that the thread still lives
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // the write goes ahead: the bound is for the disk, not a reason to fail
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean mustWait() {
        return sizes.writesMustWait(options.compactionThreshold()) && !stopping && thread.isAlive() && mayRetry();
    }

    /** Wakes the writers waiting in {@link #awaitRoom} to check again. */
    private void signalRoom() {
        lock.lock();
        try {
            compacted.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Compacts every sealed file now, on the calling thread, whatever the stale bytes; waits for
     * a compaction the thread is running first.
     *
     * @throws KvsException if it fails; what it did is undone or finished by the next compaction or open
     */
    void compactNow() throws KvsException {
        working.lock();
        try {
            compact();
            writeHints();
        } catch (IOException e) {
            throw new KvsException("compaction of " + dir + " failed: " + e.getMessage(), e);
        } catch (CompactionPass.Cancelled e) {
            throw new IllegalStateException("KvStore is closed");
        } finally {
            working.unlock();
        }
    }

    /** Whether a store at rest would compact to settle now. */
    private boolean settleDue() {
        return sizes.settleDue(options.compactionThreshold()) && mayRetry();
    }

    /** Waits for a signal, or for {@code nanos} to pass; returns whether it was signalled. */
    private boolean awaitSignal(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!signalled && !stopping && left > 0) {
                try {
                    left = wakeUp.awaitNanos(left);
                } catch (InterruptedException e) {
                    // Ignored, as awaitUninterruptibly would: only close() stops this thread, by setting stopping.
                }
            }
            boolean was = signalled;
            signalled = false;
            return was;
        } finally {
            lock.unlock();
        }
    }

    private void writeHints() throws IOException, KvsException {
        for (Integer id; !stopping && (id = unhinted.poll()) != null; ) {
            if (readers.contains(id)) {
                writeHint(storage, dir, id, options.salvage());
            }
        }
    }

    /** Writes the hint file of the sealed log file {@code id} by scanning it. */
    static void writeHint(Storage storage, Path dir, int id, boolean salvage) throws IOException, KvsException {
        Path logFile = LogFiles.log(dir, id);
        try (HintFile.Writer hint = new HintFile.Writer(storage, LogFiles.hint(dir, id))) {
            LogScanner.Result r = LogScanner.scan(storage, logFile, /* newest= */ false, salvage,
                    e -> hint.add(e.bytes(), e.start(), e.offset(), e.length()));
            hint.commit(r.validEnd());
        }
    }

    /** Runs one compaction pass, and counts it. */
    private void compact() throws IOException, KvsException {
        CompactionPass.Done done = new CompactionPass(storage, dir, index, meta, readers, sizes, options, cache, activeLog,
                () -> stopping).run();
        expired += done.dropped(); // the compacting thread's own fields
        lastMillis = done.millis();
        compactions++;
    }

    /** Stops the thread, cancelling a compaction in progress, and waits for it. */
    @Override
    public void close() {
        stopping = true;
        wake();
        signalRoom();
        if (thread.getState() != Thread.State.NEW) {
            Threads.joinUninterruptibly(thread);
        }
    }
}
