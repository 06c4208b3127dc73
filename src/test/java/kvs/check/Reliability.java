package kvs.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the reliability tests share: their seed, how many rounds they run, where failures go. */
public final class Reliability {

    /** {@code -Dkvs.seed=N} replays a run; otherwise a fresh seed, printed on failure. */
    public static final long SEED = Long.getLong("kvs.seed", System.nanoTime());

    private Reliability() {
    }

    /** {@code base} rounds times {@code kvs.reliability.scale} (5 in the reliability profile) times {@code kvs.stress}. */
    public static int rounds(int base) {
        return base * Integer.getInteger("kvs.reliability.scale", 1) * Integer.getInteger("kvs.stress", 1);
    }

    /** A file under target/reliability/ for a failing run's history, named after it and the seed. */
    public static Path historyFile(String name) throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("kvs.home", "."), "target", "reliability"))
                .resolve(name + "-" + SEED + ".log");
    }

    /** How a failure names its seed. */
    public static String seed() {
        return "seed " + SEED + " (replay: -Dkvs.seed=" + SEED + ")";
    }
}
