package kvs.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A {@link Storage} that knows what a disk would keep if the power went now. It writes through
 * to the real directory (so the store reads what it wrote, as from the page cache) and mirrors
 * every file in memory: the bytes written, the bytes last synced, and the directory's entries as
 * of its last sync plus the creations, renames and deletions since. Its own fsyncs are free.
 *
 * <p>The process dies at a chosen operation ({@link #crashAt}, {@link #crashWhen}) or on
 * {@link #crash}: that operation and every later one fail with {@link PowerLost}, so nothing
 * more reaches the OS. Then either the power goes too, and {@link #afterPowerLoss} writes what
 * the disk holds into a fresh directory: the synced entries, some prefix of the unsynced
 * directory changes (a journal keeps them in order), and in each file its synced bytes,
 * possibly followed by part of what was written after them, or by garbage; or only the process
 * died ({@link #restart}): the directory keeps everything written, still unsynced, for the next
 * process to lose if the power goes later.
 */
final class PowerLossStorage implements Storage {

    /** The failure of every operation once the power is gone, or of one injected fault. */
    static final class PowerLost extends IOException {
        private static final long serialVersionUID = 1L;

        PowerLost(String message) {
            super(message);
        }
    }

    /**
     * Picks an operation by its kind ("create", "append", "sync", "close", "open", "truncate",
     * "syncfile", "move", "delete", "syncdir") and file name. Triggers keep count, so each is used once.
     */
    interface Trigger {
        boolean fires(String kind, String name);

        /** The {@code n}th operation of {@code kind} on a file whose name ends with {@code suffix}. */
        static Trigger nth(int n, String kind, String suffix) {
            int[] seen = {0};
            return (k, name) -> k.equals(kind) && name.endsWith(suffix) && ++seen[0] == n;
        }

        /** The first operation {@code next} picks once this trigger has fired. */
        default Trigger then(Trigger next) {
            boolean[] fired = {false};
            return (k, name) -> {
                if (fired[0]) {
                    return next.fires(k, name);
                }
                fired[0] = fires(k, name);
                return false;
            };
        }

        /** The operation right after the one this trigger picks. */
        default Trigger thenNext() {
            return then((k, name) -> true);
        }
    }

    /** A file as the process sees it, and as the disk holds it. */
    private static final class Node {
        byte[] data;
        int size;
        byte[] synced;

        Node(byte[] data) {
            this.data = data;
            this.size = data.length;
            this.synced = data;
        }

        byte[] written() {
            return Arrays.copyOf(data, size);
        }
    }

    private record DirOp(String kind, String name, String to, Node node) {
        void apply(Map<String, Node> entries) {
            switch (kind) {
                case "create" -> entries.put(name, node);
                case "move" -> {
                    Node moved = entries.remove(name);
                    if (moved != null) {
                        entries.put(to, moved);
                    }
                }
                case "delete" -> entries.remove(name);
                default -> throw new IllegalStateException(kind);
            }
        }
    }

    private static final int TRACE = 200;

    private final Path dir;
    /** Guards everything below: operations from the writer, the syncer and the compactor are serialised. */
    private final Object lock = new Object();
    private final Map<String, Node> entries = new HashMap<>();
    private Map<String, Node> syncedEntries;
    private final List<DirOp> unsyncedDirOps = new ArrayList<>();
    private final Deque<String> trace = new ArrayDeque<>();
    private long ops;
    private long crashAt = Long.MAX_VALUE;
    private Trigger crashTrigger;
    private Trigger faultTrigger;
    private Trigger hookTrigger;
    private Hook hook;
    private String lostAt;
    private int faults;

    private PowerLossStorage(Path dir) {
        this.dir = dir;
    }

    /** A disk holding the files now in {@code dir}, all of them synced. */
    static PowerLossStorage over(Path dir) throws IOException {
        PowerLossStorage s = new PowerLossStorage(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals(DirectoryLock.FILE_NAME)) {
                    s.entries.put(name, new Node(Files.readAllBytes(p)));
                }
            }
        }
        s.syncedEntries = new HashMap<>(s.entries);
        return s;
    }

    /** The power goes at operation {@code n} (0 is the first). */
    PowerLossStorage crashAt(long n) {
        synchronized (lock) {
            crashAt = n;
        }
        return this;
    }

    /** The power goes at the first operation {@code trigger} picks. */
    PowerLossStorage crashWhen(Trigger trigger) {
        synchronized (lock) {
            crashTrigger = trigger;
        }
        return this;
    }

    /** The first operation {@code trigger} picks fails with an I/O error, once; the disk stays up. */
    PowerLossStorage failWhen(Trigger trigger) {
        synchronized (lock) {
            faultTrigger = trigger;
        }
        return this;
    }

    /** Work a test does in the middle of an operation of the store's, on the store's own thread. */
    interface Hook {
        void run() throws Exception;
    }

    /**
     * Runs {@code hook} once, on the thread of the first operation {@code trigger} picks, before
     * that operation reaches the OS (e.g. a write from inside a compaction, at a chosen step).
     */
    PowerLossStorage runWhen(Trigger trigger, Hook hook) {
        synchronized (lock) {
            hookTrigger = trigger;
            this.hook = hook;
        }
        return this;
    }

    /** Stops the process now, if it still runs: no later operation reaches the OS. */
    void crash() {
        synchronized (lock) {
            if (lostAt == null) {
                lostAt = "crash after " + ops + " operations";
            }
        }
    }

    /** A new process on the same disk, after only the old process died: what it wrote stays, unsynced. */
    void restart() {
        synchronized (lock) {
            if (lostAt == null) {
                throw new IllegalStateException("the process still runs");
            }
            lostAt = null;
            crashAt = Long.MAX_VALUE;
            crashTrigger = null;
            faultTrigger = null;
            ops = 0;
            trace.clear();
        }
    }

    /** Injected I/O errors so far. */
    int faults() {
        synchronized (lock) {
            return faults;
        }
    }

    boolean crashed() {
        synchronized (lock) {
            return lostAt != null;
        }
    }

    long ops() {
        synchronized (lock) {
            return ops;
        }
    }

    /** Where the power went, and the operations before it. */
    String trace() {
        synchronized (lock) {
            return "process: " + (lostAt == null ? "running" : lostAt) + "\n" + String.join("\n", trace);
        }
    }

    private void op(String kind, Path file) throws IOException {
        String name = file.getFileName().toString();
        Hook due = null;
        synchronized (lock) {
            if (hookTrigger != null && hookTrigger.fires(kind, name)) {
                due = hook;
                hookTrigger = null;
                hook = null;
            }
        }
        if (due != null) {
            try {
                due.run();
            } catch (Exception e) {
                throw new IllegalStateException("the test's hook at " + kind + " " + name + " failed", e);
            }
        }
        synchronized (lock) {
            long n = ops++;
            if (trace.size() == TRACE) {
                trace.removeFirst();
            }
            trace.addLast(n + " " + kind + " " + name);
            if (lostAt != null) {
                throw new PowerLost("the process is dead (" + lostAt + "): " + kind + " " + name);
            }
            if (n == crashAt || (crashTrigger != null && crashTrigger.fires(kind, name))) {
                lostAt = "crash at operation " + n + ": " + kind + " " + name;
                throw new PowerLost(lostAt);
            }
            if (faultTrigger != null && faultTrigger.fires(kind, name)) {
                faultTrigger = null;
                faults++;
                trace.addLast("  ^ injected I/O error");
                throw new PowerLost("injected I/O error at operation " + n + ": " + kind + " " + name);
            }
        }
    }

    private String nameIn(Path file) {
        if (!dir.equals(file.getParent())) {
            throw new IllegalArgumentException(file + " is not in " + dir);
        }
        return file.getFileName().toString();
    }

    @Override
    public Appender create(Path file) throws IOException {
        op("create", file);
        Appender real = DISK.create(file);
        Node node = new Node(new byte[0]);
        synchronized (lock) {
            String name = nameIn(file);
            entries.put(name, node);
            unsyncedDirOps.add(new DirOp("create", name, null, node));
        }
        return new Appender() {
            @Override
            public void append(byte[] bytes, int off, int len) throws IOException {
                op("append", file);
                real.append(bytes, off, len);
                synchronized (lock) {
                    if (node.data.length < node.size + len) {
                        node.data = Arrays.copyOf(node.data, Math.max(node.size + len, node.data.length * 2));
                    }
                    System.arraycopy(bytes, off, node.data, node.size, len);
                    node.size += len;
                }
            }

            @Override
            public void sync() throws IOException {
                op("sync", file);
                synchronized (lock) {
                    node.synced = node.written();
                }
            }

            @Override
            public void close() throws IOException {
                real.close(); // the descriptor goes whatever the power does
                op("close", file);
            }
        };
    }

    @Override
    public FileChannel openRead(Path file) throws IOException {
        op("open", file);
        return DISK.openRead(file);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        op("truncate", file);
        DISK.truncate(file, size);
        synchronized (lock) {
            entries.get(nameIn(file)).size = (int) size;
        }
    }

    @Override
    public void sync(Path file) throws IOException {
        op("syncfile", file);
        synchronized (lock) {
            Node node = entries.get(nameIn(file));
            node.synced = node.written();
        }
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        op("move", from);
        DISK.move(from, to);
        synchronized (lock) {
            String name = nameIn(from);
            String target = nameIn(to);
            entries.put(target, entries.remove(name));
            unsyncedDirOps.add(new DirOp("move", name, target, null));
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        op("delete", file);
        DISK.delete(file);
        synchronized (lock) {
            String name = nameIn(file);
            if (entries.remove(name) != null) {
                unsyncedDirOps.add(new DirOp("delete", name, null, null));
            }
        }
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
        op("syncdir", d.resolve("."));
        synchronized (lock) {
            syncedEntries = new HashMap<>(entries);
            unsyncedDirOps.clear();
        }
    }

    /**
     * Writes what the disk holds after the power went into the empty directory {@code target},
     * the worst case: the synced directory entries, and in each file its synced bytes only.
     */
    void afterPowerLossKeepingOnlySynced(Path target) throws IOException {
        synchronized (lock) {
            if (lostAt == null) {
                throw new IllegalStateException("the process still runs");
            }
            for (Map.Entry<String, Node> e : syncedEntries.entrySet()) {
                Files.write(target.resolve(e.getKey()), e.getValue().synced);
            }
        }
    }

    /**
     * Writes what the disk holds after the power went into the empty directory {@code target}
     * and describes, per file, what survived.
     */
    String afterPowerLoss(Path target, Random random) throws IOException {
        synchronized (lock) {
            if (lostAt == null) {
                throw new IllegalStateException("the process still runs");
            }
            Map<String, Node> survived = new HashMap<>(syncedEntries);
            int kept = random.nextInt(unsyncedDirOps.size() + 1);
            StringBuilder report = new StringBuilder("directory: kept " + kept + " of "
                    + unsyncedDirOps.size() + " unsynced changes " + unsyncedDirOps.subList(0, kept) + "\n");
            unsyncedDirOps.subList(0, kept).forEach(op -> op.apply(survived));
            for (Map.Entry<String, Node> e : new TreeMap<>(survived).entrySet()) {
                Node node = e.getValue();
                byte[] bytes = contents(node, random);
                Files.write(target.resolve(e.getKey()), bytes);
                report.append(String.format("  %s: %d bytes (synced %d, written %d)%n",
                        e.getKey(), bytes.length, node.synced.length, node.size));
            }
            return report.toString();
        }
    }

    /** The synced bytes; or all that was written; or the synced bytes and part of the rest, or garbage in its place. */
    private static byte[] contents(Node node, Random random) {
        byte[] written = node.written();
        byte[] synced = node.synced;
        int rest = written.length - synced.length;
        boolean extendsSynced = rest > 0 && Arrays.equals(written, 0, synced.length, synced, 0, synced.length);
        switch (random.nextInt(4)) {
            case 0:
                return synced;
            case 1:
                return written;
            case 2:
                return extendsSynced ? Arrays.copyOf(written, synced.length + random.nextInt(rest + 1)) : synced;
            default:
                if (rest <= 0) {
                    return synced;
                }
                byte[] garbage = Arrays.copyOf(synced, synced.length + 1 + random.nextInt(rest));
                if (random.nextBoolean()) {
                    for (int i = synced.length; i < garbage.length; i++) {
                        garbage[i] = (byte) random.nextInt(256);
                    }
                }
                return garbage; // random bytes, or the zeros a file system leaves in unwritten blocks
        }
    }
}
