package kvs.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

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

    /** Swaps made while writes are held off at once: each batch holds writers up for well under a millisecond. */
    private static final int SWAPS_AT_ONCE = 1024;

    private final Storage storage;
    private final Path dir;
    private final KeyIndex index;
    /** The store's metadata: its records are copied as the keys' are. */
    private final KeyIndex meta;
    private final Readers readers;
    private final LogSizes sizes;
    private final EngineOptions options;
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
              EngineOptions options, ActiveLog activeLog) {
        this.storage = storage;
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
            } catch (Cancelled e) {
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
        } catch (Cancelled e) {
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

    /**
     * A live record's copy: {@code from} is the entry of {@code in} (the keys' index or the
     * metadata's) that pointed at the original, found in {@code slot}; {@code to} is where the
     * copy is, or null for a record left out because its key's deadline had passed (its entry is
     * removed instead).
     */
    private record Swap(KeyIndex in, byte[] from, int slot, Loc to) {
    }

    /** One input's live records: index entries, the index and slot each was found in, in the order found. */
    private static final class FileRecords {
        byte[][] entries = new byte[16][];
        int[] slots = new int[16];
        KeyIndex[] indexes = new KeyIndex[16];
        int size;

        void add(KeyIndex in, byte[] entry, int slot) {
            if (size == entries.length) {
                entries = Arrays.copyOf(entries, size * 2);
                slots = Arrays.copyOf(slots, size * 2);
                indexes = Arrays.copyOf(indexes, size * 2);
            }
            entries[size] = entry;
            indexes[size] = in;
            slots[size++] = slot;
        }

        /** The positions of the records in offset order: a primitive sort of offset and position. */
        int[] byOffset() {
            long[] order = new long[size];
            for (int i = 0; i < size; i++) {
                order[i] = ((long) KeyIndex.offset(entries[i]) << 32) | i;
            }
            Arrays.sort(order);
            int[] positions = new int[size];
            for (int i = 0; i < size; i++) {
                positions[i] = (int) order[i];
            }
            return positions;
        }
    }

    private void compact() throws IOException, KvsException {
        activeLog.sync(); // so sealing the active file, with writes held off, has little left to sync
        long live = sizes.get().live();
        // Output files hold at most the live bytes, each but the last at least maxFileSize.
        int reserve = (int) Math.min(Integer.MAX_VALUE / 4, live / options.maxFileSize() + 2);
        int first = activeLog.roll(reserve);
        // Every log below the reserved ids, from the directory rather than the open readers: a
        // failed compaction can leave a log no reader has (an input it did not delete, an output
        // it published but did not swap in), and one left behind would outlive the tombstones
        // this compaction drops.
        List<Integer> inputs = LogFiles.logIds(dir).stream().filter(id -> id < first).toList();
        long started = System.nanoTime();
        long now = options.clock().millis();
        // At debug, as its end: a busy store compacts several times a second
        log.debug("compacting {} log files of {} ({} live bytes)", inputs.size(), dir, live);
        Map<Integer, Long> inputBytes = new HashMap<>();
        List<Swap> swaps = new ArrayList<>();
        List<Swap> drops = new ArrayList<>();
        try (CompactionOutput out = new CompactionOutput(storage, dir, options.maxFileSize(), first, reserve)) {
            copyLiveRecords(liveRecordsBelow(first), inputs, inputBytes, out, swaps, drops, now);
            List<Integer> published = out.publish();
            sizes.add(0, out.bytes());
            for (int id : published) {
                readers.add(id);
            }
        }
        // Each only if the index still points at the original
        int swapped = holdingWrites(swaps, s -> s.in.replace(s.from, s.slot, s.to.file(), s.to.offset()));
        int dropped = holdingWrites(drops, s -> {
            boolean removed = s.in.removeIfStill(s.from, s.slot);
            if (removed) {
                sizes.add(-KeyIndex.length(s.from), 0);
            }
            return removed;
        });
        if (dropped > 0) {
            expired += dropped; // the compacting thread's own field
        }
        // Every record that superseded one left out is appended by now (the index pointed past it).
        activeLog.sync();
        for (int id : inputs) {
            readers.remove(id);
            storage.delete(LogFiles.hint(dir, id));
            storage.delete(LogFiles.log(dir, id));
            storage.syncDirectory(dir); // oldest first, each durable: no tombstone goes before its value
            sizes.add(0, -inputBytes.get(id));
        }
        lastMillis = (System.nanoTime() - started) / 1_000_000;
        compactions++;
        log.debug("compacted {} log files of {} into {} records in {} ms; {} keys past their deadline removed",
                inputs.size(), dir, swapped, lastMillis, dropped);
    }

    /**
     * Applies {@code change} to each of {@code swaps}, {@value #SWAPS_AT_ONCE} at a time with
     * writes held off; returns how many it made.
     */
    private int holdingWrites(List<Swap> swaps, Predicate<Swap> change) throws KvsException {
        int made = 0;
        for (int start = 0; start < swaps.size(); start += SWAPS_AT_ONCE) {
            List<Swap> some = swaps.subList(start, Math.min(swaps.size(), start + SWAPS_AT_ONCE));
            made += activeLog.holdingWrites(() -> {
                int n = 0;
                for (Swap s : some) {
                    if (change.test(s)) {
                        n++;
                    }
                }
                return n;
            });
        }
        return made;
    }

    /**
     * The index entries that point below file {@code first} (into a compaction's inputs), by file.
     * None is missed: the table read is the one of the time of the roll or a later one, whose slots
     * hold every key that had a record in the inputs then, and a write since only points a key
     * past the inputs.
     */
    private Map<Integer, FileRecords> liveRecordsBelow(int first) {
        Map<Integer, FileRecords> live = new HashMap<>();
        for (KeyIndex in : List.of(index, meta)) {
            in.forEach((e, slot) -> {
                int file = KeyIndex.file(e);
                if (file < first) {
                    live.computeIfAbsent(file, f -> new FileRecords()).add(in, e, slot);
                }
            });
        }
        return live;
    }

    /**
     * Copies the records {@code live} out of the {@code inputs}, each input's in offset order,
     * reading it in windows: stale records are skipped, unread where they span a window, and never
     * checked or looked up. Each copy is checked against its checksum and its entry's key first, so
     * a record damaged since it was written fails the compaction rather than outliving its input.
     * With {@code options.compactionExpires()}, a record whose key's deadline has passed at
     * {@code now} is left out, unread, and its entry joins {@code drops}. Records each input's
     * size in {@code inputBytes}.
     */
    private void copyLiveRecords(Map<Integer, FileRecords> live, List<Integer> inputs, Map<Integer, Long> inputBytes,
                                 CompactionOutput out, List<Swap> swaps, List<Swap> drops, long now)
            throws IOException, KvsException {
        for (int id : inputs) {
            Path file = LogFiles.log(dir, id);
            FileRecords records = live.remove(id);
            try (LogWindow window = new LogWindow(storage, file)) {
                inputBytes.put(id, window.size());
                for (int i : records == null ? new int[0] : records.byOffset()) {
                    if (stopping) {
                        throw new Cancelled();
                    }
                    byte[] e = records.entries[i];
                    if (options.compactionExpires() && KeyIndex.expired(e, now)) {
                        drops.add(new Swap(records.indexes[i], e, records.slots[i], null));
                        continue;
                    }
                    int length = KeyIndex.length(e);
                    if (KeyIndex.offset(e) + (long) length > window.size()) {
                        throw new CorruptionException(file, KeyIndex.offset(e), "the live record of key '"
                                + KeyIndex.key(e) + "' runs past the end of the file");
                    }
                    int at = window.load(KeyIndex.offset(e), length);
                    byte[] b = window.buffer();
                    if (!Record.intact(b, at, length) || Record.length(b, at) != length
                            || Record.deadline(b, at) != KeyIndex.deadline(e)
                            || !KeyIndex.holds(e, b, Record.keyStart(b, at), Record.keyLen(b, at))) {
                        throw new CorruptionException(file, KeyIndex.offset(e), "the live record of key '"
                                + KeyIndex.key(e) + "' no longer checks out");
                    }
                    swaps.add(new Swap(records.indexes[i], e, records.slots[i], out.append(b, at, length)));
                }
            }
        }
        if (!live.isEmpty()) {
            throw new IllegalStateException("the index points into log files " + live.keySet() + " of " + dir
                    + ", which are not among the compaction's inputs " + inputs);
        }
    }

    /** Unwinds a compaction when the store closes. */
    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super(null, null, false, false);
        }
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
