package kvs.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import kvs.KvsEngine;
import kvs.KvsException;
import kvs.bench.peers.LmdbEngine;
import kvs.bench.peers.RocksDbEngine;
import kvs.bench.peers.SqliteEngine;
import kvs.engine.Durability;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;

/**
 * Opens any engine the benchmarks compare, by name. Every mode hands an acknowledged write to the
 * OS before the ack; what each does about fsync:
 * <ul>
 * <li>kvs, mvstore: fsync before the ack (always), once a second (everysec), never (never).
 * <li>rocksdb: WAL synced on every write, {@code WriteOptions.setSync(true)} (always); WAL
 *     unsynced plus {@code flushWal(true)} once a second (everysec); WAL unsynced (never).
 * <li>lmdb: sync on every commit, LMDB's default (always); {@code MDB_NOSYNC} plus
 *     {@code env.sync(true)} once a second (everysec); {@code MDB_NOSYNC} (never).
 * <li>sqlite, WAL mode: {@code synchronous=FULL}, WAL fsynced on every commit (always);
 *     {@code synchronous=NORMAL}, WAL fsynced at each checkpoint, not each second: the closest
 *     SQLite has (everysec); {@code synchronous=OFF} (never).
 * </ul>
 */
public final class Engines {

    /** The names {@link #open} accepts. */
    public static final List<String> NAMES = List.of("kvs", "mvstore", "rocksdb", "lmdb", "sqlite");

    /** lmdbjava reads {@code java.nio.Buffer.address} by reflection: without this, LMDB refuses to open. */
    public static final String LMDB_OPENS = LmdbEngine.NIO_OPENS;
    /** lmdbjava casts a direct buffer to {@code sun.nio.ch.DirectBuffer}: without this, LMDB refuses to open. */
    public static final String LMDB_EXPORTS = LmdbEngine.NIO_EXPORTS;
    /** RocksDB, SQLite and LMDB (through jffi) load native libraries, which JDK 24+ warns about unless allowed. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private Engines() {
    }

    /**
     * The flags a JVM that opens any of these engines needs (JMH forks, test JVMs); every JDK from
     * 17 on accepts them. JDK 24+ still warns once that lmdbjava calls a terminally deprecated
     * {@code sun.misc.Unsafe} method; {@code --sun-misc-unsafe-memory-access=allow} silences that,
     * but JDKs before 23 refuse to start with it, so it is not here.
     */
    public static List<String> jvmFlags() {
        return List.of(LMDB_OPENS, LMDB_EXPORTS, NATIVE_ACCESS);
    }

    /**
     * Opens (creating if needed) the engine {@code name} in {@code dir} with {@code durability}.
     *
     * @throws IllegalArgumentException if {@code name} is not one of {@link #NAMES}
     * @throws KvsException if the engine cannot open the directory
     */
    public static KvsEngine open(String name, Path dir, Durability durability) throws KvsException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        return switch (name) {
            case "kvs" -> KvStore.open(dir, EngineOptions.defaults().withDurability(durability));
            case "mvstore" -> MvStoreEngine.open(dir, EngineOptions.defaults().withDurability(durability));
            case "rocksdb" -> RocksDbEngine.open(dir, durability);
            case "lmdb" -> LmdbEngine.open(dir, durability);
            case "sqlite" -> SqliteEngine.open(dir, durability);
            default -> throw new IllegalArgumentException(
                    "unknown engine '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
