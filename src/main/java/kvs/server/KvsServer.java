package kvs.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import kvs.KvsEngine;
import kvs.internal.Threads;
import kvs.pool.ThreadPool;
import kvs.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link KvsEngine} over the protocol of DESIGN §5: an accept loop on a platform
 * thread hands each connection to the pool as one job. The server owns its pool (closed by
 * {@link #close()}) but not the engine, which the caller closes after the server.
 */
public final class KvsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvsServer.class);
    /** How often the watchdog looks for stalled reads and writes. */
    private static final long WATCH_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long the accept loop waits after a failed accept (out of file descriptors, say). */
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Options: the maximum frame (default 16 MiB), the read/write timeout (default 30 s), the time close() grants in-flight requests. */
    public record Options(int maxFrame, Duration timeout, Duration closeGrace) {
        public Options {
            if (maxFrame < 1) {
                throw new IllegalArgumentException("maxFrame must be positive: " + maxFrame);
            }
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(closeGrace, "closeGrace");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
        }

        public static Options defaults() {
            return new Options(Frames.DEFAULT_MAX_FRAME, Duration.ofSeconds(30), Duration.ofSeconds(5));
        }

        public Options withMaxFrame(int maxFrame) {
            return new Options(maxFrame, timeout, closeGrace);
        }

        public Options withTimeout(Duration timeout) {
            return new Options(maxFrame, timeout, closeGrace);
        }
    }

    private final ServerSocket listener;
    private final ThreadPool pool;
    private final Dispatcher dispatcher;
    private final FrameBudget budget;
    private final Options options;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread watchdog;
    /** Guards the waits below: for close() (the watchdog, accept back-off) and for the last connection to end. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closeStarted = lock.newCondition();
    private final Condition connectionEnded = lock.newCondition();
    /** Written under lock. */
    private volatile boolean closing;

    private KvsServer(ServerSocket listener, KvsEngine engine, ThreadPool pool, Options options) {
        this.listener = listener;
        this.pool = pool;
        this.options = options;
        this.dispatcher = new Dispatcher(engine);
        this.budget = FrameBudget.forHeap(options.maxFrame());
        this.acceptor = Thread.ofPlatform().name("kvs-accept").unstarted(this::acceptLoop);
        this.watchdog = Thread.ofPlatform().name("kvs-watchdog").daemon(true).unstarted(this::watch);
    }

    /** Binds {@code address} (port 0 picks a free port) and starts serving with default options. */
    public static KvsServer start(KvsEngine engine, ThreadPool pool, InetSocketAddress address) throws IOException {
        return start(engine, pool, address, Options.defaults());
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts serving.
     *
     * @throws java.net.BindException if the address is in use or cannot be bound
     */
    public static KvsServer start(KvsEngine engine, ThreadPool pool, InetSocketAddress address, Options options)
            throws IOException {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(pool, "pool");
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true); // a restart right after a kill can bind again
            listener.bind(address, 1024);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        KvsServer server = new KvsServer(listener, engine, pool, options);
        server.acceptor.start();
        server.watchdog.start();
        return server;
    }

    /** The address the server listens on (with the actual port when it bound port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketException e) {
                if (!closing) {
                    log.error("the listening socket failed; no longer accepting", e);
                }
                return;
            } catch (IOException e) {
                log.warn("accept failed: {}", e.toString()); // e.g. out of file descriptors: keep going
                awaitClose(ACCEPT_BACKOFF_NANOS);
                continue;
            }
            Connection connection = new Connection(socket, dispatcher, budget, options.maxFrame(),
                    options.timeout().toNanos(), this::ended);
            connections.add(connection);
            try {
                pool.spawn(connection);
            } catch (RejectedExecutionException e) {
                connections.remove(connection);
                connection.closeQuietly();
            }
        }
    }

    /** Called by each connection as it ends. */
    private void ended(Connection connection) {
        lock.lock();
        try {
            connections.remove(connection);
            connectionEnded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void watch() {
        while (awaitClose(WATCH_PERIOD_NANOS)) {
            long now = System.nanoTime();
            for (Connection c : connections) {
                c.closeIfStalled(now);
            }
        }
    }

    /** Waits {@code nanos}, or less if close() starts; false once it has. */
    private boolean awaitClose(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!closing && left > 0) {
                left = closeStarted.awaitNanos(left);
            }
            return !closing;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every connection has ended or {@code nanos} have passed. */
    private void awaitConnectionsEnded(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!connections.isEmpty() && left > 0) {
                left = connectionEnded.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop waiting; the connections are closed next
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting, lets requests already received finish and be answered within the close
     * grace period, closes every connection, then closes the pool. Does not close the engine.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            closeStarted.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            listener.close();
        } catch (IOException e) {
            log.warn("closing the listening socket: {}", e.toString());
        }
        Threads.joinUninterruptibly(acceptor);
        List.copyOf(connections).forEach(Connection::drain);
        awaitConnectionsEnded(options.closeGrace().toNanos());
        List.copyOf(connections).forEach(Connection::closeQuietly);
        pool.close();
        Threads.joinUninterruptibly(watchdog);
    }
}
