package kvs.bench.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.engine.Durability;
import kvs.store.Bytes;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * LMDB (lmdbjava) behind {@link KvsEngine}, for benchmarks: one write per write transaction,
 * one read transaction per get. A commit writes its pages to the OS before it returns; it also
 * fsyncs them for {@code always} (LMDB's default), while {@code everysec} opens the environment
 * with {@code MDB_NOSYNC} and runs {@code env.sync(true)} once a second, and {@code never} opens
 * it with {@code MDB_NOSYNC} alone.
 *
 * <p>On JDK 16+ lmdbjava needs {@value #NIO_OPENS} and {@value #NIO_EXPORTS} (it reads a direct
 * buffer's address through both); {@link #open} checks for them. Keys are stored with a one-byte
 * prefix, since LMDB refuses empty keys and kvs allows them, so a key may take at most 510 bytes
 * of UTF-8. Operations must not race with {@link #close()}: LMDB frees its environment there.
 */
public final class LmdbEngine extends PeerEngine {

    /**
     * The most the database may grow to. A 4 KiB value takes two 4 KiB overflow pages, so a
     * million of them take 8 GiB; the map is sparse and the file grows only as pages are written.
     */
    static final long MAP_SIZE = 32L << 30;
    /** lmdbjava reads {@code java.nio.Buffer.address} by reflection (JDK 16+ refuses it otherwise). */
    public static final String NIO_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** lmdbjava casts a direct buffer to {@code sun.nio.ch.DirectBuffer} (JDK 16+ refuses it otherwise). */
    public static final String NIO_EXPORTS = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Read transactions open at once: one per concurrent get (MDB_NOTLS), 126 by default. */
    static final int MAX_READERS = 1024;
    private static final byte KEY_PREFIX = 'k';
    private static final int INITIAL_VALUE_BUFFER = 4096 + 64;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    /** LMDB's key limit (511 bytes unless built otherwise), including the prefix. */
    private final int maxKeyBytes;
    /**
     * Serializes write transactions. LMDB allows one at a time anyway; waiting here parks a thread
     * (a virtual one frees its carrier) instead of blocking it inside LMDB's mutex.
     */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Each thread's direct key and value buffers (LMDB reads from native memory); used only by that thread. */
    private final ThreadLocal<Buffers> buffers;

    /** Every thread's read transaction, to close before the environment. */
    private final Queue<Txn<ByteBuffer>> reads = new ConcurrentLinkedQueue<>();

    /**
     * One thread's buffers, and its read transaction: reset after each get and renewed for the next
     * (LMDB's {@code mdb_txn_reset}/{@code mdb_txn_renew}, its fast path for repeated reads: about
     * 1.9M gets a second on one thread against 0.2M with a new transaction per get, 1000 keys, in a
     * quick check). The value buffer grows to the largest value the thread has written.
     */
    private static final class Buffers {
        final ByteBuffer key;
        ByteBuffer value = ByteBuffer.allocateDirect(INITIAL_VALUE_BUFFER);
        Txn<ByteBuffer> read;

        Buffers(int maxKeyBytes) {
            key = ByteBuffer.allocateDirect(maxKeyBytes);
        }

        ByteBuffer key(byte[] utf8) {
            return key.clear().put(KEY_PREFIX).put(utf8).flip();
        }

        ByteBuffer value(byte[] utf8) {
            if (utf8.length > value.capacity()) {
                value = ByteBuffer.allocateDirect(Integer.highestOneBit(utf8.length) << 1);
            }
            return value.clear().put(utf8).flip();
        }
    }

    private LmdbEngine(Path dir, Durability durability, Env<ByteBuffer> env, Dbi<ByteBuffer> db) {
        super("lmdb", dir, durability);
        this.env = env;
        this.db = db;
        this.maxKeyBytes = env.getMaxKeySize();
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(maxKeyBytes));
        startSyncer();
    }

    @Override
    void sync() {
        env.sync(/* force= */ true);
    }

    @Override
    void release() {
        for (Txn<ByteBuffer> txn : reads) {
            txn.renew(); // lmdbjava frees a transaction only from the ready state, not the reset one
            txn.close();
        }
        env.close();
    }

    /**
     * Opens (creating if needed) an LMDB environment in {@code dir}.
     *
     * @throws KvsException if the JVM lacks lmdbjava's flags, or LMDB cannot open the directory
     */
    public static LmdbEngine open(Path dir, Durability durability) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        Module base = ByteBuffer.class.getModule();
        Module self = Env.class.getModule(); // lmdbjava's, which needs them (kvs's may be a named module)
        if (!base.isOpen("java.nio", self) || !base.isExported("sun.nio.ch", self)) {
            throw new KvsException("lmdb: this JVM needs " + NIO_OPENS + " " + NIO_EXPORTS
                    + " (kvs.bench.Engines.jvmFlags())");
        }
        // MDB_NOTLS: a read transaction belongs to no thread, so virtual threads may use it.
        EnumSet<EnvFlags> flags = EnumSet.of(EnvFlags.MDB_NOTLS);
        if (durability != Durability.ALWAYS) {
            flags.add(EnvFlags.MDB_NOSYNC);
        }
        Env<ByteBuffer> env = null;
        try {
            Files.createDirectories(dir);
            env = Env.create()
                    .setMapSize(MAP_SIZE)
                    .setMaxDbs(1)
                    .setMaxReaders(MAX_READERS)
                    .open(dir.toFile(), flags.toArray(EnvFlags[]::new));
            return new LmdbEngine(dir, durability, env, env.openDbi("kv", DbiFlags.MDB_CREATE));
        } catch (IOException | LmdbException e) {
            if (env != null) {
                env.close();
            }
            throw new KvsException("lmdb: cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void set(String key, String value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        Buffers b = buffers.get();
        ByteBuffer k = b.key(encodeKey(key));
        ByteBuffer v = b.value(Bytes.utf8(value).toByteArray());
        writeLock.lock();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            db.put(txn, k, v);
            txn.commit();
        } catch (LmdbException e) {
            throw failed("set", e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<String> get(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        Buffers b = buffers.get();
        ByteBuffer k = b.key(encodeKey(key));
        try {
            Txn<ByteBuffer> txn = b.read;
            if (txn == null) {
                txn = b.read = env.txnRead();
                reads.add(txn);
            } else {
                txn.renew();
            }
            try {
                ByteBuffer v = db.get(txn, k); // points into the map: valid only until the transaction ends
                if (v == null) {
                    return Optional.empty();
                }
                byte[] utf8 = new byte[v.remaining()];
                v.get(utf8);
                return Optional.of(new String(utf8, StandardCharsets.UTF_8));
            } finally {
                txn.reset();
            }
        } catch (LmdbException e) {
            throw failed("get", e);
        }
    }

    @Override
    public void remove(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        ByteBuffer k = buffers.get().key(encodeKey(key));
        writeLock.lock();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            if (!db.delete(txn, k)) {
                throw new KeyNotFoundException(); // closing the transaction aborts it
            }
            txn.commit();
        } catch (LmdbException e) {
            throw failed("remove", e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The key's UTF-8, checked against LMDB's key limit.
     *
     * @throws IllegalArgumentException if the key is not valid Unicode or too long for LMDB
     */
    private byte[] encodeKey(String key) {
        byte[] utf8 = Bytes.utf8(key).toByteArray();
        if (utf8.length + 1 > maxKeyBytes) {
            throw new IllegalArgumentException("lmdb: key is " + utf8.length
                    + " bytes in UTF-8; LMDB takes keys of at most " + (maxKeyBytes - 1) + " bytes here");
        }
        return utf8;
    }
}
