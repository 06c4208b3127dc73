package kvs.engine;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A compaction's output: log files (with their hints) written under temporary names into ids
 * reserved for it, until {@link #publish} syncs them and renames them into place. Closing
 * output that was not published deletes it.
 */
final class CompactionOutput implements AutoCloseable {

    private final Storage storage;
    private final Path dir;
    private final long maxFileSize;
    private final int firstId;
    private final int maxFiles;
    private final List<Integer> ids = new ArrayList<>();
    private Storage.Appender file;
    private BufferedOutputStream current;
    private HintFile.Writer hint;
    private long size;
    private long bytes;
    private boolean published;

    /** Output into the ids {@code firstId} to {@code firstId + maxFiles - 1}, each file up to about {@code maxFileSize}. */
    CompactionOutput(Storage storage, Path dir, long maxFileSize, int firstId, int maxFiles) {
        this.storage = storage;
        this.dir = dir;
        this.maxFileSize = maxFileSize;
        this.firstId = firstId;
        this.maxFiles = maxFiles;
    }

    /** Appends a copy of the record {@code buf[start, start + length)}; returns where the copy is. */
    Loc append(byte[] buf, int start, int length) throws IOException {
        byte[] alone = Record.alone(buf, start, length); // a record is copied alone, outside its transaction
        if (alone != null) {
            return append(alone, 0, length);
        }
        if (current == null || size >= maxFileSize) {
            next();
        }
        int id = ids.get(ids.size() - 1);
        Loc at = new Loc(id, (int) size, length);
        current.write(buf, start, length);
        hint.add(buf, start, size, length);
        size += length;
        bytes += length;
        return at;
    }

    private void next() throws IOException {
        finishCurrent();
        if (ids.size() == maxFiles) {
            throw new IllegalStateException("compaction output exceeded its " + maxFiles + " reserved files");
        }
        int id = firstId + ids.size();
        ids.add(id);
        Path tmp = LogFiles.tmp(LogFiles.log(dir, id));
        storage.delete(tmp);
        file = storage.create(tmp);
        current = new BufferedOutputStream(file.stream(), 1 << 16);
        hint = new HintFile.Writer(storage, LogFiles.hint(dir, id));
        size = 0;
    }

    private void finishCurrent() throws IOException {
        if (current == null) {
            return;
        }
        current.flush();
        file.sync();
        file.close();
        current = null;
        hint.commit(size);
        hint = null;
    }

    /** Bytes written so far. */
    long bytes() {
        return bytes;
    }

    /** Syncs and renames every output file into place, then syncs the directory; returns their ids. */
    List<Integer> publish() throws IOException {
        finishCurrent();
        for (int id : ids) {
            Path target = LogFiles.log(dir, id);
            storage.move(LogFiles.tmp(target), target);
        }
        if (!ids.isEmpty()) {
            storage.syncDirectory(dir);
        }
        published = true;
        return ids;
    }

    /** Deletes unpublished output after a failure or cancellation. */
    @Override
    public void close() throws IOException {
        if (published) {
            return;
        }
        if (current != null) {
            file.close();
        }
        if (hint != null) {
            hint.close();
        }
        for (int id : ids) { // a publish cut short may have renamed some: copies, never swapped in
            storage.delete(LogFiles.tmp(LogFiles.log(dir, id)));
            storage.delete(LogFiles.log(dir, id));
            storage.delete(LogFiles.hint(dir, id));
        }
    }
}
