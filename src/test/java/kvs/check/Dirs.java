package kvs.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories the tests make and remove themselves. */
public final class Dirs {

    private Dirs() {
    }

    /** A new empty directory under the system's temporary directory. */
    public static Path createTemp(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    /** A new empty directory under {@code parent}. */
    public static Path createTemp(Path parent, String prefix) throws IOException {
        return Files.createTempDirectory(parent, prefix);
    }

    /** Copies the files of the flat directory {@code from} into a new directory {@code to}. */
    public static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    /** Deletes {@code dir} and everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
