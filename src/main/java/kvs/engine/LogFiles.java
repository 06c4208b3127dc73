package kvs.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Names and lists a KvStore directory's files: {@code <id>.log} generations (replayed in id order),
 * their {@code <id>.hint} files, and {@code .tmp} files that only an interrupted step leaves behind.
 */
final class LogFiles {

    static final String LOG = ".log";
    static final String HINT = ".hint";
    static final String TMP = ".tmp";
    /** The most bytes kvs ever writes to one log: the file limit, plus a record that starts just below it. */
    static final long MAX_LOG_BYTES = EngineOptions.MAX_FILE_SIZE_LIMIT + 2L * Record.MAX_VALUE_BYTES;

    private LogFiles() {
    }

    static Path log(Path dir, int id) {
        return dir.resolve(name(id) + LOG);
    }

    static Path hint(Path dir, int id) {
        return dir.resolve(name(id) + HINT);
    }

    static Path tmp(Path file) {
        return file.resolveSibling(file.getFileName() + TMP);
    }

    private static String name(int id) {
        return String.format("%010d", id);
    }

    /** The ids of every {@code .log} file, ascending. */
    static List<Integer> logIds(Path dir) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(LOG) && n.length() == 10 + LOG.length())
                    .forEach(n -> ids.add(Integer.parseInt(n.substring(0, 10))));
        }
        ids.sort(null);
        return ids;
    }

    /** Files whose name ends with {@code suffix}. */
    static List<Path> withSuffix(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }
}
