package kvs.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import kvs.KvsException;
import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;
import kvs.store.Write;
import kvs.store.WriteId;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;

/**
 * A member's engine on disk as of one applied log index, named as Ratis names snapshots
 * ({@code snapshot.TERM_INDEX} in the state machine's directory) beside its MD5 ({@code .md5}),
 * so Ratis can send it to a member too far behind for the log. Written whole to a temporary file,
 * synced, then renamed: a crash leaves the old snapshot or the new one, never half of one.
 *
 * <pre>
 * file    := MAGIC("kvs-snapshot") FORMAT(u8 = 4) count session* count record* pair* END(0)
 * session := u64 u64 (the client's id) varint(seq) varint(index) u8(notFound)
 * record  := bytes(name) bytes(value)         (the engine's records the group keeps: a shard's slot states)
 * pair    := PAIR(1) bytes(key) bytes(value) varint(deadline)
 * </pre>
 * as {@link EntryCodec} writes and reads its fields; a deadline is Unix milliseconds, 0 for none.
 * Every key the engine stores is in it, those whose deadline has passed too ({@link StoredEntries}):
 * only the log removes a key from a member. Format 3 is format 4 without the records (a snapshot
 * with none is still written so, for a release before 4 to read); format 2 is format 3 without
 * deadlines; one of format 1 (every pair as a kvs-protocol {@code set} frame, the clients' last
 * writes first under reserved keys) begins with a frame's length, whose first byte is 0 or 1, and
 * is read as such; a newer format is refused, saying so.
 */
final class SnapshotFile {

    /** Pairs handed to a reader's sink at a time. */
    static final int RUN = 1024;
    static final int FORMAT = 4;
    /** The format before the engine's records, which is still written when there are none. */
    private static final int FORMAT_3 = 3;
    /** The format before deadlines, which still reads. */
    private static final int FORMAT_2 = 2;
    private static final byte[] MAGIC = "kvs-snapshot".getBytes(StandardCharsets.US_ASCII);
    private static final int PAIR = 1;
    private static final int END = 0;
    /** Format 1's largest frame. */
    private static final int LEGACY_MAX_FRAME = 2 * Frames.DEFAULT_MAX_FRAME;

    private SnapshotFile() {
    }

    /** Receives a snapshot's pairs, a run at a time. */
    interface Sink {
        void accept(List<Write.Set> sets) throws KvsException;
    }

    /**
     * Writes {@code sessions}, the engine's {@code records}, then every key {@code engine} stores
     * with its entry, to {@code file} (the engine must not change meanwhile), and its MD5 beside
     * it; returns the MD5. The keys are listed in memory first, then read a run of {@link #RUN} at a time.
     */
    static MD5Hash write(Path file, Map<UUID, Sessions.Last> sessions, Map<String, Bytes> records, Store engine)
            throws IOException, KvsException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16))) {
            out.write(MAGIC);
            out.write(records.isEmpty() ? FORMAT_3 : FORMAT);
            EntryCodec.Out fields = new EntryCodec.Out();
            fields.varint(sessions.size());
            sessions.forEach((client, last) -> {
                fields.id(new WriteId(client, last.seq()));
                fields.varint(last.index());
                fields.u8(last.notFound() ? 1 : 0);
            });
            if (!records.isEmpty()) {
                fields.varint(records.size());
                records.forEach((name, value) -> {
                    fields.bytes(Bytes.utf8(name));
                    fields.bytes(value);
                });
            }
            fields.moveTo(out);
            List<Bytes> keys = new ArrayList<>(StoredEntries.keys(engine));
            for (int i = 0; i < keys.size(); i += RUN) {
                List<Bytes> run = keys.subList(i, Math.min(keys.size(), i + RUN));
                List<Entry> entries = StoredEntries.entries(engine, run);
                for (int j = 0; j < run.size(); j++) {
                    Entry e = entries.get(j);
                    if (e != null) {
                        fields.u8(PAIR);
                        fields.bytes(run.get(j));
                        fields.bytes(e.value());
                        fields.varint(e.deadline());
                        fields.moveTo(out);
                    }
                }
            }
            out.write(END);
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
    }

    /** The engine's records {@code file} holds (none before format 4); the MD5 is not checked. */
    static Map<String, Bytes> records(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int format = format(in, file);
            if (format < FORMAT) {
                return Map.of();
            }
            EntryCodec.In fields = EntryCodec.In.of(in);
            sessions(fields, file);
            return records(fields);
        }
    }

    private static Map<String, Bytes> records(EntryCodec.In in) throws IOException {
        Map<String, Bytes> records = new LinkedHashMap<>();
        for (long n = in.varint(); n > 0; n--) {
            records.put(in.bytes().utf8(), in.bytes());
        }
        return records;
    }

    /** The clients' last writes {@code file} holds, oldest use first; the MD5 is not checked (that reads it all). */
    static Map<UUID, Sessions.Last> sessions(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            return format(in, file) == 1 ? legacySessions(in, file) : sessions(EntryCodec.In.of(in), file);
        }
    }

    /**
     * Checks {@code file} against its saved MD5, then hands its pairs to {@code sink} in order.
     *
     * @throws IOException if the file is missing, does not match its MD5, or does not decode
     */
    static void read(Path file, Sink sink) throws IOException, KvsException {
        MD5Hash saved = MD5FileUtil.readStoredMd5ForFile(file.toFile());
        MD5Hash actual = MD5FileUtil.computeMd5ForFile(file.toFile());
        if (saved == null || !saved.equals(actual)) {
            throw new IOException("the snapshot " + file + " does not match its MD5 (saved " + saved + ", read " + actual + ")");
        }
        try (DataInputStream in = open(file)) {
            int format = format(in, file);
            if (format == 1) {
                legacyPairs(in, file, sink);
                return;
            }
            EntryCodec.In fields = EntryCodec.In.of(in);
            sessions(fields, file);
            if (format == FORMAT) {
                records(fields);
            }
            Runs runs = new Runs(sink);
            for (int tag; (tag = fields.u8()) != END; ) {
                if (tag != PAIR) {
                    throw new IOException("the snapshot " + file + " holds a record of kind " + tag);
                }
                runs.add(Write.set(fields.bytes(), fields.bytes(), format == FORMAT_2 ? Entry.NONE : fields.deadline()));
            }
            runs.flush();
            if (in.read() >= 0) {
                throw new IOException("the snapshot " + file + " has bytes after its end");
            }
        } catch (EOFException e) {
            throw new IOException("the snapshot " + file + " is cut short", e);
        }
    }

    /** Hands the pairs added to a sink a run of {@link #RUN} at a time. */
    private static final class Runs {
        private final Sink sink;
        private List<Write.Set> run = new ArrayList<>(RUN);

        Runs(Sink sink) {
            this.sink = sink;
        }

        void add(Write.Set pair) throws KvsException {
            run.add(pair);
            if (run.size() == RUN) {
                flush();
            }
        }

        /** Hands over the pairs added since the last run. */
        void flush() throws KvsException {
            if (!run.isEmpty()) {
                sink.accept(run);
                run = new ArrayList<>(RUN);
            }
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /** Reads the file's format from its start: 1 (frames, no magic), 2 or this code's; a newer one is refused. */
    private static int format(DataInputStream in, Path file) throws IOException {
        in.mark(MAGIC.length + 1);
        byte[] head = in.readNBytes(MAGIC.length + 1);
        if (head.length > 0 && (head[0] & 0xFF) <= 1) {
            in.reset();
            return 1;
        }
        if (head.length != MAGIC.length + 1 || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " is not a kvs snapshot");
        }
        int format = head[MAGIC.length] & 0xFF;
        if (format != FORMAT_2 && format != FORMAT_3 && format != FORMAT) {
            throw new IOException("the snapshot " + file + " is of format " + format + (format > FORMAT
                    ? ", newer than this release reads (" + FORMAT + "): upgrade this member" : ", which this release does not read"));
        }
        return format;
    }

    private static Map<UUID, Sessions.Last> sessions(EntryCodec.In in, Path file) throws IOException {
        Map<UUID, Sessions.Last> sessions = new LinkedHashMap<>();
        for (long n = in.varint(); n > 0; n--) {
            WriteId id = in.id();
            if (id == null) {
                throw new IOException("the snapshot " + file + " holds a client's write without its id");
            }
            long index = in.varint();
            sessions.put(id.client(), new Sessions.Last(id.seq(), index, in.u8() != 0));
        }
        return sessions;
    }

    // Format 1: kvs-protocol set frames; the clients' last writes first, under SESSION_PREFIX + the client's id.

    /** Format 1's prefix of the keys of the clients' last writes. */
    private static final Bytes LEGACY_SESSION_PREFIX = Bytes.utf8("\u0000kvs.session.");
    /** Format 1's prefix of every key a group kept for itself (and refused to clients). */
    private static final Bytes LEGACY_RESERVED = Bytes.utf8("\u0000kvs.");

    private static Map<UUID, Sessions.Last> legacySessions(DataInputStream in, Path file) throws IOException {
        Map<UUID, Sessions.Last> sessions = new LinkedHashMap<>();
        try {
            for (byte[] body; (body = Frames.read(in, LEGACY_MAX_FRAME)) != null; ) {
                if (!(Codec.decodeRequest(body) instanceof Request.Set set) || !set.key().startsWith(LEGACY_SESSION_PREFIX)) {
                    break;
                }
                sessions.put(UUID.fromString(set.key().slice(LEGACY_SESSION_PREFIX.length(), set.key().length()).latin1()),
                        Sessions.Last.parse(set.value().latin1()));
            }
        } catch (ProtocolException | EOFException | IllegalArgumentException e) {
            throw new IOException("the snapshot " + file + " (format 1) does not decode: " + e.getMessage(), e);
        }
        return sessions;
    }

    private static void legacyPairs(DataInputStream in, Path file, Sink sink) throws IOException, KvsException {
        try {
            Runs runs = new Runs(sink);
            for (byte[] body; (body = Frames.read(in, LEGACY_MAX_FRAME)) != null; ) {
                if (!(Codec.decodeRequest(body) instanceof Request.Set set)) {
                    throw new IOException("the snapshot " + file + " holds a frame that is not a set");
                }
                if (set.key().startsWith(LEGACY_RESERVED)) {
                    continue; // a group's own record, never a client's key
                }
                runs.add(Write.set(set.key(), set.value()));
            }
            runs.flush();
        } catch (ProtocolException | EOFException e) {
            throw new IOException("the snapshot " + file + " (format 1) does not decode: " + e.getMessage(), e);
        }
    }
}
