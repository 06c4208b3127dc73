package kvs.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import kvs.KvsException;
import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.store.Bytes;
import kvs.store.Store;
import kvs.store.Write;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;

/**
 * A member's engine on disk as of one applied log index: every pair as a kvs-protocol {@code set}
 * frame (the frames of a log entry, {@link Entries}), named as Ratis names snapshots
 * ({@code snapshot.TERM_INDEX} in the state machine's directory) beside its MD5 ({@code .md5}),
 * so Ratis can send it to a member too far behind for the log. Written whole to a temporary file,
 * synced, then renamed: a crash leaves the old snapshot or the new one, never half of one.
 */
final class SnapshotFile {

    /** Pairs handed to a reader's sink at a time. */
    static final int RUN = 1024;

    private SnapshotFile() {
    }

    /** Receives a snapshot's pairs, a run at a time. */
    interface Sink {
        void accept(List<Write.Set> sets) throws KvsException;
    }

    /**
     * Writes {@code header}, then every pair of {@code engine} whose key does not begin with
     * {@code reserved}, to {@code file} (the engine must not change meanwhile), and its MD5 beside
     * it; returns the MD5.
     */
    static MD5Hash write(Path file, List<Write.Set> header, Store engine, Bytes reserved)
            throws IOException, KvsException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
            for (Write.Set w : header) {
                Frames.write(out, Codec.encode(new Request.Set(w.key(), w.value(), null)));
            }
            for (Iterator<Bytes> it = engine.keys(); it.hasNext(); ) {
                Bytes key = it.next();
                Bytes value = key.startsWith(reserved) ? null : engine.get(key);
                if (value != null) {
                    Frames.write(out, Codec.encode(new Request.Set(key, value, null)));
                }
            }
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
    }

    /** Receives a pair of a snapshot's header. */
    interface HeaderSink {
        void accept(Bytes key, Bytes value);
    }

    /**
     * Hands the pairs at the start of {@code file} whose keys begin with {@code prefix} (its header)
     * to {@code sink}, and reads no further; the MD5 is not checked (that reads it all).
     */
    static void readHeader(Path file, Bytes prefix, HeaderSink sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (byte[] body; (body = Frames.read(in, Entries.MAX_ENTRY_BYTES)) != null; ) {
                if (!(Codec.decodeRequest(body) instanceof Request.Set set) || !set.key().startsWith(prefix)) {
                    return;
                }
                sink.accept(set.key(), set.value());
            }
        } catch (ProtocolException | EOFException e) {
            throw new IOException("the snapshot " + file + " does not decode: " + e.getMessage(), e);
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
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream data = new DataInputStream(in);
            List<Write.Set> run = new ArrayList<>(RUN);
            for (byte[] body; (body = Frames.read(data, Entries.MAX_ENTRY_BYTES)) != null; ) {
                if (!(Codec.decodeRequest(body) instanceof Request.Set set)) {
                    throw new IOException("the snapshot " + file + " holds a frame that is not a set");
                }
                run.add(Write.set(set.key(), set.value()));
                if (run.size() == RUN) {
                    sink.accept(run);
                    run = new ArrayList<>(RUN);
                }
            }
            if (!run.isEmpty()) {
                sink.accept(run);
            }
        } catch (ProtocolException | EOFException e) {
            throw new IOException("the snapshot " + file + " does not decode: " + e.getMessage(), e);
        }
    }
}
