package kvs.bench.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.engine.Durability;
import kvs.store.Bytes;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni, default options) behind {@link KvsEngine}, for benchmarks. Every write goes
 * to the write-ahead log, which RocksDB hands to the OS before the write returns; the WAL is
 * synced on every write for {@code always} ({@code WriteOptions.setSync(true)}), once a second by
 * a background {@code flushWal(true)} for {@code everysec}, and never for {@code never}.
 *
 * <p>Operations must not race with {@link #close()}: RocksDB frees its native handles there.
 */
public final class RocksDbEngine extends PeerEngine {

    private final Options options;
    private final RocksDB db;
    private final WriteOptions writeOptions;
    /**
     * Makes remove's check-then-delete atomic with respect to other removes, so two removes of one
     * key cannot both succeed; sets need not take it (a set between the check and the delete is
     * simply ordered before the remove).
     */
    private final ReentrantLock removeLock = new ReentrantLock();

    private RocksDbEngine(Path dir, Durability durability, Options options, RocksDB db) {
        super("rocksdb", dir, durability);
        this.options = options;
        this.db = db;
        this.writeOptions = new WriteOptions().setSync(durability == Durability.ALWAYS);
        startSyncer();
    }

    /** Syncs the WAL. */
    @Override
    void sync() throws RocksDBException {
        db.flushWal(/* sync= */ true);
    }

    @Override
    void release() throws RocksDBException {
        try {
            db.closeE();
        } finally {
            writeOptions.close();
            options.close();
        }
    }

    /**
     * Opens (creating if needed) a RocksDB database in {@code dir}.
     *
     * @throws KvsException if RocksDB cannot open it (another process holds it, say)
     */
    public static RocksDbEngine open(Path dir, Durability durability) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        RocksDB.loadLibrary();
        Options options = new Options().setCreateIfMissing(true);
        try {
            return new RocksDbEngine(dir, durability, options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException e) {
            options.close();
            throw new KvsException("rocksdb: cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void set(String key, String value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        byte[] k = Bytes.utf8(key).toByteArray();
        byte[] v = Bytes.utf8(value).toByteArray();
        try {
            db.put(writeOptions, k, v);
        } catch (RocksDBException e) {
            throw failed("set", e);
        }
    }

    @Override
    public Optional<String> get(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        try {
            byte[] v = db.get(Bytes.utf8(key).toByteArray());
            return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            throw failed("get", e);
        }
    }

    @Override
    public void remove(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        byte[] k = Bytes.utf8(key).toByteArray();
        removeLock.lock();
        try {
            if (db.get(k) == null) {
                throw new KeyNotFoundException();
            }
            db.delete(writeOptions, k);
        } catch (RocksDBException e) {
            throw failed("remove", e);
        } finally {
            removeLock.unlock();
        }
    }
}
