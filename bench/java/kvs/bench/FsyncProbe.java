package kvs.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The latency of one small durable append, four ways: appended at the end of the file (its size
 * grows, so the fsync writes the inode too) or into a file preallocated with zeros; forced with
 * fsync or with fdatasync ({@code FileChannel.force(false)}). This bounds synced sets: a group
 * commit waits for one of these. Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.FsyncProbe target 2000 5   # directory, appends per round, rounds
 * </pre>
 * Prints each way's median over the rounds, in milliseconds per append.
 */
public final class FsyncProbe {

    private static final int RECORD = 120;
    private static final String[] WAYS = {"append + fsync", "append + fdatasync", "preallocated + fsync", "preallocated + fdatasync"};

    private FsyncProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target");
        int appends = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<List<Double>> times = new ArrayList<>();
        for (int w = 0; w < WAYS.length; w++) {
            times.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int w = 0; w < WAYS.length; w++) { // the ways interleaved, so drift in the disk touches each alike
                times.get(w).add(probe(dir.resolve("fsync-probe"), appends, /* preallocate= */ w >= 2, /* metadata= */ w % 2 == 0));
            }
        }
        System.out.println("| way | ms per durable append (median of " + rounds + " rounds of " + appends + ") |");
        System.out.println("|---|---:|");
        for (int w = 0; w < WAYS.length; w++) {
            System.out.printf(Locale.ROOT, "| %s | %.3f |%n", WAYS[w], IndexFootprint.median(times.get(w)));
        }
    }

    /** Milliseconds per append of {@code appends} records of 120 bytes, each forced before the next. */
    private static double probe(Path file, int appends, boolean preallocate, boolean metadata) throws Exception {
        Files.deleteIfExists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (preallocate) {
                ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                for (long at = 0; at < (long) appends * RECORD; at += zeros.capacity()) {
                    zeros.clear();
                    ch.write(zeros, at);
                }
                ch.force(true);
            }
            ByteBuffer record = ByteBuffer.allocate(RECORD);
            long start = System.nanoTime();
            for (int i = 0; i < appends; i++) {
                record.clear();
                ch.write(record, (long) i * RECORD);
                ch.force(metadata);
            }
            return (System.nanoTime() - start) / 1e6 / appends;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
