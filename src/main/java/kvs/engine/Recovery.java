package kvs.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import kvs.KvsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the index at open: replays every log file in id order, from its hint file when one
 * is valid and otherwise by scanning it (writing the missing hint as it goes), truncates a torn
 * tail of the newest file, and removes what an interrupted step left behind. Keys keep their
 * deadlines, from hints and records alike; a key whose deadline passed while the store was
 * closed is indexed as stored (reads hide it, a write or compaction removes it).
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /** What open found: the highest file id (0 when none) and the sizes of the log. */
    record State(int lastId, long live, long total) {
    }

    private final Storage storage;
    private final Path dir;
    private final boolean salvage;
    private final KeyIndex index;
    private final KeyIndex meta;
    private long live;
    private long total;

    private Recovery(Storage storage, Path dir, boolean salvage, KeyIndex index, KeyIndex meta) {
        this.storage = storage;
        this.dir = dir;
        this.salvage = salvage;
        this.index = index;
        this.meta = meta;
    }

    /** Fills {@code index} (the keys) and {@code meta} (the store's metadata) from the files in {@code dir}. */
    static State run(Storage storage, Path dir, boolean salvage, KeyIndex index, KeyIndex meta)
            throws IOException, KvsException {
        return new Recovery(storage, dir, salvage, index, meta).run();
    }

    private State run() throws IOException, KvsException {
        for (Path tmp : LogFiles.withSuffix(dir, LogFiles.TMP)) {
            log.info("removing {}, left by an interrupted write", tmp);
            storage.delete(tmp);
        }
        List<Integer> ids = LogFiles.logIds(dir);
        removeOrphanHints(ids);
        int lastId = 0;
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            lastId = id;
            replay(id, /* newest= */ i == ids.size() - 1);
        }
        return new State(lastId, live, total);
    }

    private void removeOrphanHints(List<Integer> ids) throws IOException {
        for (Path hint : LogFiles.withSuffix(dir, LogFiles.HINT)) {
            String name = hint.getFileName().toString();
            String stem = name.substring(0, name.length() - LogFiles.HINT.length());
            if (stem.length() != 10 || !stem.chars().allMatch(Character::isDigit)
                    || !ids.contains(Integer.parseInt(stem))) {
                storage.delete(hint);
            }
        }
    }

    private void replay(int id, boolean newest) throws IOException, KvsException {
        Path file = LogFiles.log(dir, id);
        long size = Files.size(file);
        if (size > LogFiles.MAX_LOG_BYTES) {
            throw new CorruptionException(file, 0, "file of " + size + " bytes is larger than kvs writes");
        }
        HintFile.Use hinted = HintFile.read(storage, LogFiles.hint(dir, id), size,
                (b, keyOff, keyLen, offset, length, deadline, tombstone, isMeta) ->
                        apply(isMeta ? meta : index, b, keyOff, keyLen, id, offset, length, deadline, tombstone));
        if (hinted == HintFile.Use.APPLIED) {
            total += size;
            return;
        }
        if (hinted == HintFile.Use.LOG_SHORTER && !salvage) {
            // A torn tail cannot do this: the active file gets its hint only once it is complete.
            throw new CorruptionException(file, size, "the log is truncated: its hint was written when it was longer");
        }
        try (HintFile.Writer hint = new HintFile.Writer(storage, LogFiles.hint(dir, id))) {
            LogScanner.Result r = LogScanner.scan(storage, file, newest, salvage, e -> {
                apply(e.meta() ? meta : index, e.bytes(), e.keyStart(), e.keyLength(), id,
                        (int) e.offset(), e.length(), e.deadline(), e.tombstone());
                hint.add(e.bytes(), e.start(), e.offset(), e.length());
            });
            if (r.validEnd() < size) {
                storage.truncate(file, r.validEnd());
            }
            if (newest) {
                // The last process may have died with this file unsynced; it is sealed once the
                // next file exists, and a sealed file is never torn.
                storage.sync(file);
            }
            hint.commit(r.validEnd());
            total += r.validEnd();
        }
    }

    private void apply(KeyIndex to, byte[] b, int keyOff, int keyLen, int file, int offset, int length, long deadline,
                       boolean tombstone) {
        int hash = KeyHash.of(b, keyOff, keyLen);
        byte[] old = tombstone ? to.remove(b, keyOff, keyLen, hash)
                : to.put(KeyIndex.entry(b, keyOff, keyLen, file, offset, length, deadline), hash);
        live += (tombstone ? 0 : length) - (old == null ? 0 : KeyIndex.length(old));
    }
}
