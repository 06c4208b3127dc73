package kvs.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import kvs.KvsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction of a KvStore's sealed log files, as {@link Compactor} (which decides when) runs
 * it; the rule and why a crash or power loss at any step loses nothing are on Compactor and in
 * docs/STORAGE.md, "Compaction".
 */
final class CompactionPass {

    /** Compactions log under Compactor's name, which turns them on (docs/RELIABILITY.md, KillLoopIT). */
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    /** Swaps made while writes are held off at once: each batch holds writers up for well under a millisecond. */
    private static final int SWAPS_AT_ONCE = 1024;

    private final Storage storage;
    private final Path dir;
    private final KeyIndex index;
    private final KeyIndex meta;
    private final Readers readers;
    private final LogSizes sizes;
    private final EngineOptions options;
    /** Keeps the values it holds across the swap to their records' copies. */
    private final ValueCache cache;
    private final Compactor.ActiveLog activeLog;
    /** Whether the store is closing: the pass is cancelled ({@link Cancelled}) between records. */
    private final BooleanSupplier stopping;

    CompactionPass(Storage storage, Path dir, KeyIndex index, KeyIndex meta, Readers readers, LogSizes sizes,
                   EngineOptions options, ValueCache cache, Compactor.ActiveLog activeLog, BooleanSupplier stopping) {
        this.storage = storage;
        this.cache = cache;
        this.dir = dir;
        this.index = index;
        this.meta = meta;
        this.readers = readers;
        this.sizes = sizes;
        this.options = options;
        this.activeLog = activeLog;
        this.stopping = stopping;
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

    /** What a pass did: the records it copied, the expired keys it dropped, how long it took. */
    record Done(int swapped, int dropped, long millis) {
    }

    /**
     * Compacts every sealed log file: copies the live records (leaving out those of keys whose
     * deadline has passed, with {@code options.compactionExpires()}), swaps the index to the
     * copies, drops the expired keys' entries, then deletes the inputs oldest first.
     */
    Done run() throws IOException, KvsException {
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
        int swapped = holdingWrites(swaps, s -> {
            byte[] to = s.in.replace(s.from, s.slot, s.to.file(), s.to.offset());
            if (to != null && s.in == index) {
                cache.moved(KeyIndex.cacheHash(s.from), s.from, to);
            }
            return to != null;
        });
        int dropped = holdingWrites(drops, s -> {
            boolean removed = s.in.removeIfStill(s.from, s.slot);
            if (removed) {
                sizes.add(-KeyIndex.length(s.from), 0);
            }
            return removed;
        });
        // Every record that superseded one left out is appended by now (the index pointed past it).
        activeLog.sync();
        for (int id : inputs) {
            readers.remove(id);
            storage.delete(LogFiles.hint(dir, id));
            storage.delete(LogFiles.log(dir, id));
            storage.syncDirectory(dir); // oldest first, each durable: no tombstone goes before its value
            sizes.add(0, -inputBytes.get(id));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.debug("compacted {} log files of {} into {} records in {} ms; {} keys past their deadline removed",
                inputs.size(), dir, swapped, millis, dropped);
        return new Done(swapped, dropped, millis);
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
                    if (stopping.getAsBoolean()) {
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
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super(null, null, false, false);
        }
    }
}
