package kvs.bench.peers;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite (sqlite-jdbc) behind {@link KvsEngine}, for benchmarks: one table
 * {@code kv(key TEXT PRIMARY KEY, value TEXT NOT NULL)} in WAL mode, autocommit (one
 * write per transaction), a connection per thread with its statements prepared once. A commit
 * writes the WAL to the OS before it returns; {@code always} is {@code synchronous=FULL} (the WAL
 * is fsynced on every commit), {@code everysec} is {@code synchronous=NORMAL} (the WAL is fsynced
 * at each checkpoint, every 1000 pages by default, not on a timer: the closest SQLite has), and
 * {@code never} is {@code synchronous=OFF}.
 *
 * <p>A rowid table, SQLite's default: in a quick check a WITHOUT ROWID table (the row in the key's
 * b-tree, one lookup, not two) set 16 B and 100 B values about 20% faster but read 4 KiB values up
 * to 3× slower, as SQLite's documentation expects of rows above about a twentieth of a page; the
 * default is the smaller distortion.
 *
 * <p>Operations must not race with {@link #close()}, which closes every thread's connection.
 */
public final class SqliteEngine extends PeerEngine {

    /** The database file inside the directory (with its -wal and -shm beside it). */
    static final String FILE_NAME = "kv.sqlite";
    /**
     * How long a connection waits for a lock held by another before failing with SQLITE_BUSY. Our
     * own writers queue on {@link #writeLock}, so this covers only a checkpoint or another process.
     */
    private static final int BUSY_TIMEOUT_MS = 60_000;

    private final SQLiteDataSource source;
    /** Each thread's connection; a JDBC connection is not thread-safe, so only its thread uses it. */
    private final ThreadLocal<Session> sessions = new ThreadLocal<>();
    /** Every connection opened, for close(). */
    private final Queue<Session> opened = new ConcurrentLinkedQueue<>();
    /**
     * Serializes writes. SQLite admits one writer at a time and makes the others poll, sleeping
     * between tries (its busy handler); queueing here hands the lock over without the sleeps.
     */
    private final ReentrantLock writeLock = new ReentrantLock();

    /** One thread's connection and prepared statements. */
    private record Session(Connection connection, PreparedStatement get, PreparedStatement set,
                           PreparedStatement remove) implements AutoCloseable {

        static Session open(SQLiteDataSource source) throws SQLException {
            Connection c = source.getConnection();
            try {
                return new Session(c,
                        c.prepareStatement("SELECT value FROM kv WHERE key = ?"),
                        c.prepareStatement("INSERT INTO kv (key, value) VALUES (?, ?)"
                                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                        c.prepareStatement("DELETE FROM kv WHERE key = ?"));
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }

        /** Closes the connection, which closes its statements. */
        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    private SqliteEngine(Path dir, Durability durability, SQLiteDataSource source) {
        super("sqlite", dir, durability);
        this.source = source;
    }

    /** Nothing: SQLite syncs its WAL at checkpoints (everysec is synchronous=NORMAL), and the last close checkpoints. */
    @Override
    void sync() {
    }

    /** Closes every thread's connection; the last one to close checkpoints the WAL into the database. */
    @Override
    void release() throws SQLException {
        SQLException failure = null;
        for (Session s; (s = opened.poll()) != null; ) {
            try {
                s.close();
            } catch (SQLException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Opens (creating if needed) the database {@value #FILE_NAME} in {@code dir}, in WAL mode.
     *
     * @throws KvsException if SQLite cannot open or create it
     */
    public static SqliteEngine open(Path dir, Durability durability) throws KvsException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        String url = "jdbc:sqlite:" + dir.resolve(FILE_NAME);
        SQLiteConfig setup = new SQLiteConfig();
        setup.setBusyTimeout(BUSY_TIMEOUT_MS);
        setup.setJournalMode(SQLiteConfig.JournalMode.WAL); // kept in the file: later connections need not ask
        try (Connection c = setup.createConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        } catch (SQLException e) {
            throw new KvsException("sqlite: cannot open " + dir + ": " + e.getMessage(), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setSynchronous(switch (durability) {
            case ALWAYS -> SQLiteConfig.SynchronousMode.FULL;
            case EVERYSEC -> SQLiteConfig.SynchronousMode.NORMAL;
            case NEVER -> SQLiteConfig.SynchronousMode.OFF;
        });
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        return new SqliteEngine(dir, durability, source);
    }

    @Override
    public void set(String key, String value) throws KvsException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        requireUnicode("key", key);
        requireUnicode("value", value);
        Session s = session();
        writeLock.lock();
        try {
            s.set.setString(1, key);
            s.set.setString(2, value);
            s.set.executeUpdate();
        } catch (SQLException e) {
            throw failed("set", e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<String> get(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        requireUnicode("key", key);
        Session s = session();
        try {
            s.get.setString(1, key);
            try (ResultSet rs = s.get.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("get", e);
        }
    }

    @Override
    public void remove(String key) throws KvsException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        requireUnicode("key", key);
        Session s = session();
        int removed;
        writeLock.lock();
        try {
            s.remove.setString(1, key);
            removed = s.remove.executeUpdate();
        } catch (SQLException e) {
            throw failed("remove", e);
        } finally {
            writeLock.unlock();
        }
        if (removed == 0) {
            throw new KeyNotFoundException();
        }
    }

    /** The calling thread's session, opened on its first call. */
    private Session session() throws KvsException {
        Session s = sessions.get();
        if (s == null) {
            try {
                s = Session.open(source);
            } catch (SQLException e) {
                throw failed("connect", e);
            }
            opened.add(s);
            sessions.set(s);
        }
        return s;
    }

    /** A PRAGMA's value on the calling thread's connection; for tests. */
    String pragma(String name) throws KvsException, SQLException {
        try (Statement st = session().connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** sqlite-jdbc would store '?' for an unpaired surrogate; refuse it as KvStore does. */
    private static void requireUnicode(String what, String s) {
        Bytes.utf8(s).toByteArray();
    }
}
