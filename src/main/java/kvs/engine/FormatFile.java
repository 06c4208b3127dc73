package kvs.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import kvs.KvsException;

/**
 * A KvStore directory's {@code FORMAT} file: {@code kvs-log N}, the version of its log records and
 * hint files (docs/STORAGE.md). This release writes format {@value #FORMAT} and reads 1, 2 and 3; a
 * directory without the file was written by a release before it had one, in format 1. A newer
 * format is refused before anything in the directory is read or written.
 */
final class FormatFile {

    static final String NAME = "FORMAT";
    static final int FORMAT = 3;
    private static final String PREFIX = "kvs-log ";

    private FormatFile() {
    }

    /**
     * The directory's format: its FORMAT file's, or 1 when it has none.
     *
     * @throws KvsException if the format is newer than this release reads, or the file is not a format
     */
    static int check(Storage storage, Path dir) throws KvsException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return 1;
        }
        String text;
        try (FileChannel ch = storage.openRead(file)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 64));
            Storage.readFully(ch, buf, 0);
            text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new KvsException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int format;
        try {
            format = text.startsWith(PREFIX) ? Integer.parseInt(text.substring(PREFIX.length())) : -1;
        } catch (NumberFormatException e) {
            format = -1;
        }
        if (format < 1) {
            throw new KvsException(file + " says '" + text + "', not a KvStore format ('" + PREFIX + "N')");
        }
        if (format > FORMAT) {
            throw new KvsException(dir + " holds KvStore format " + format + ", newer than this release reads ("
                    + FORMAT + "): open it with the release that wrote it");
        }
        return format;
    }

    /**
     * Writes the FORMAT file of this release's format, synced, unless the directory is of it
     * already ({@code found}, from {@link #check}). Format 3 reads every format-1 and format-2 file
     * as it is; it adds keys' deadlines to records and hints, and format 2 had added records of the
     * store's metadata, which older releases' readers would take for damage.
     */
    static void ensure(Storage storage, Path dir, int found) throws IOException {
        Path file = dir.resolve(NAME);
        if (found == FORMAT && Files.exists(file)) {
            return;
        }
        Path tmp = LogFiles.tmp(file);
        storage.delete(tmp);
        try (Storage.Appender out = storage.create(tmp)) {
            byte[] text = (PREFIX + FORMAT + "\n").getBytes(StandardCharsets.US_ASCII);
            out.append(text, 0, text.length);
            out.sync();
        }
        storage.move(tmp, file);
        storage.syncDirectory(dir);
    }
}
