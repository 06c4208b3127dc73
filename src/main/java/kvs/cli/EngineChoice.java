package kvs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import kvs.engine.MvStoreEngine;

/**
 * Which engine a data directory holds (README.md, "kvs-server options"): the name recorded in its {@value #MARKER}
 * file; else the engine whose files it holds; else what was asked for, or kvs.
 */
final class EngineChoice {

    static final String MARKER = "engine";
    static final String KVS = "kvs";
    static final String MVSTORE = "mvstore";

    private EngineChoice() {
    }

    /**
     * The engine to open in {@code dir}.
     *
     * @param requested the --engine value, or null
     * @throws IllegalStateException if the directory holds the other engine
     */
    static String resolve(Path dir, String requested) throws IOException {
        String existing = existing(dir);
        if (existing != null && requested != null && !existing.equals(requested)) {
            throw new IllegalStateException("data directory " + dir + " holds a '" + existing
                    + "' store; it cannot be opened with --engine " + requested);
        }
        return existing != null ? existing : requested != null ? requested : KVS;
    }

    /** Records the engine once it has opened, so later starts default to it. */
    static void record(Path dir, String engine) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(marker)) {
            Path tmp = dir.resolve(MARKER + ".tmp");
            Files.writeString(tmp, engine + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static String existing(Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            String name = Files.readString(marker, StandardCharsets.UTF_8).strip();
            if (!name.equals(KVS) && !name.equals(MVSTORE)) {
                throw new IllegalStateException(marker.toAbsolutePath() + " names an unknown engine '" + name + "'");
            }
            return name;
        }
        if (Files.exists(dir.resolve(MvStoreEngine.FILE_NAME))) {
            return MVSTORE;
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.anyMatch(p -> p.getFileName().toString().endsWith(".log"))) {
                    return KVS;
                }
            }
        }
        return null;
    }
}
