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

import kvs.command.Dispatcher;
import kvs.concurrent.Threads;
import kvs.expiry.ExpiryCycle;
import kvs.expiry.ExpiryFigures;
import kvs.pool.ThreadPool;
import kvs.protocol.Frames;
import kvs.protocol.server.KvsProtocol;
import kvs.security.Access;
import kvs.security.Tls;
import kvs.session.Protocol;
import kvs.session.Refusal;
import kvs.session.RequestObserver;
import kvs.session.ServerStats;
import kvs.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Store} on one or more listeners, each speaking a {@link Protocol} (the kvs
 * protocol of docs/PROTOCOL.md, RESP): an accept loop per listener, on a platform thread, hands each
 * connection to the pool as one job. Every listener shares the engine, the command layer, the
 * pool, the timeouts and the frame limits. The server owns its pool (closed by {@link #close()})
 * but not the engine, which the caller closes after the server.
 */
public final class KvsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvsServer.class);
    /** How often the watchdog looks for stalled reads and writes. */
    private static final long WATCH_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long the accept loop waits after a failed accept (out of file descriptors, say). */
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * Options: the maximum frame (default 16 MiB), the read/write timeout (default 30 s), the time
     * close() grants in-flight requests (5 s), the most clients connected at once (10,000), who
     * may connect and with what password (default: no password, protected mode), TLS (null, the
     * default: none; given, every listener is TLS-only), and what is told each request's time
     * (null, the default: nothing), and whether the active expiry cycle removes expired keys in
     * the background (default on; off, they are only hidden until a write removes them). The
     * observer's type is kvs's own (its metrics): not exported to modules, which leave it null.
     *
     * @param maxFrame     the largest request or response frame, in bytes
     * @param timeout      how long a read or a write may stall before its connection is closed
     * @param closeGrace   how long {@link KvsServer#close()} lets received requests finish
     * @param maxClients   the most clients connected at once; one more is refused
     * @param access       who may connect, and the password they must give
     * @param tls          the TLS every listener speaks, or null for plain TCP
     * @param observer     what is told each request's time, or null for nothing
     * @param activeExpiry whether a background cycle removes expired keys
     */
    @SuppressWarnings("exports")
    public record Options(int maxFrame, Duration timeout, Duration closeGrace, int maxClients, Access access, Tls tls,
                          RequestObserver observer, boolean activeExpiry) {
        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException if {@code maxFrame}, {@code timeout} or {@code maxClients} is not positive
         */
        public Options {
            if (maxFrame < 1) {
                throw new IllegalArgumentException("maxFrame must be positive: " + maxFrame);
            }
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(closeGrace, "closeGrace");
            Objects.requireNonNull(access, "access");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            if (maxClients < 1) {
                throw new IllegalArgumentException("maxClients must be at least 1: " + maxClients);
            }
        }

        /**
         * The defaults: 16 MiB frames, a 30 s timeout, a 5 s close grace, 10,000 clients, no
         * password in protected mode, plain TCP, no observer, active expiry on.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(Frames.DEFAULT_MAX_FRAME, Duration.ofSeconds(30), Duration.ofSeconds(5), 10_000,
                    Access.defaults(), null, null, true);
        }

        /**
         * These options with another maximum frame.
         *
         * @param maxFrame the largest request or response frame, in bytes
         * @return the new options
         */
        public Options withMaxFrame(int maxFrame) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }

        /**
         * These options with another read/write timeout.
         *
         * @param timeout how long a read or a write may stall before its connection is closed
         * @return the new options
         */
        public Options withTimeout(Duration timeout) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }

        /**
         * These options with another limit on clients.
         *
         * @param maxClients the most clients connected at once
         * @return the new options
         */
        public Options withMaxClients(int maxClients) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }

        /**
         * These options with other access rules.
         *
         * @param access who may connect, and the password they must give
         * @return the new options
         */
        public Options withAccess(Access access) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }

        /**
         * These options with every listener TLS-only ({@code tls} null: plain TCP).
         *
         * @param tls the TLS every listener speaks, or null for plain TCP
         * @return the new options
         */
        public Options withTls(Tls tls) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }

        /**
         * These options with the active expiry cycle on or off.
         *
         * @param on whether a background cycle removes expired keys
         * @return the new options
         */
        public Options withActiveExpiry(boolean on) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, on);
        }

        /**
         * These options with {@code observer} told each request's time (null: none).
         *
         * @param observer what is told each request's time, or null
         * @return the new options
         */
        public Options withObserver(RequestObserver observer) {
            return new Options(maxFrame, timeout, closeGrace, maxClients, access, tls, observer, activeExpiry);
        }
    }

    /**
     * An address to listen on and the protocol spoken there. The protocols are kvs's own
     * adapters (kvs-server's RESP listener): not exported to modules, which start a server of the
     * kvs protocol with {@link #start(Store, ThreadPool, InetSocketAddress, Options)}.
     *
     * @param address  the address to bind; port 0 picks a free port
     * @param protocol the protocol spoken to the clients that connect there
     */
    @SuppressWarnings("exports")
    public record Listener(InetSocketAddress address, Protocol protocol) {
        /** Checks that both are given. */
        public Listener {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(protocol, "protocol");
        }
    }

    /** A bound listening socket and its protocol. */
    private record Bound(ServerSocket socket, Protocol protocol) {
    }

    private final List<Bound> listeners;
    private final ThreadPool pool;
    private final Dispatcher dispatcher;
    private final ServerStats stats;
    private final FrameBudget budget;
    private final Options options;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<Thread> acceptors;
    private final Thread watchdog;
    /** Guards the waits below: for close() (the watchdog, accept back-off) and for the last connection to end. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closeStarted = lock.newCondition();
    private final Condition connectionEnded = lock.newCondition();
    /** Written under lock. */
    private volatile boolean closing;
    /** Removes expired keys in the background; null when the options turn it off. */
    private final ExpiryCycle expiry;

    private KvsServer(List<Bound> listeners, Store engine, ThreadPool pool, Options options) {
        this.listeners = listeners;
        this.pool = pool;
        this.options = options;
        this.dispatcher = new Dispatcher(engine);
        this.expiry = options.activeExpiry() ? ExpiryCycle.start(engine) : null;
        this.stats = new ServerStats(engine, options.access(), options.observer(),
                expiry == null ? () -> ExpiryFigures.NONE : expiry::figures);
        this.budget = FrameBudget.forHeap(options.maxFrame());
        this.acceptors = listeners.stream()
                .map(l -> Thread.ofPlatform().name("kvs-accept-" + l.socket().getLocalPort()).unstarted(() -> acceptLoop(l)))
                .toList();
        this.watchdog = Thread.ofPlatform().name("kvs-watchdog").daemon(true).unstarted(this::watch);
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts serving with default options.
     *
     * @param engine  the store to serve; the caller closes it after the server
     * @param pool    the pool that runs each connection; the server closes it
     * @param address the address to bind
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static KvsServer start(Store engine, ThreadPool pool, InetSocketAddress address) throws IOException {
        return start(engine, pool, address, Options.defaults());
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts serving.
     *
     * @param engine  the store to serve; the caller closes it after the server
     * @param pool    the pool that runs each connection; the server closes it
     * @param address the address to bind
     * @param options limits, access, TLS and expiry
     * @return the running server
     * @throws java.net.BindException if the address is in use or cannot be bound
     * @throws IOException if the socket cannot be opened
     */
    public static KvsServer start(Store engine, ThreadPool pool, InetSocketAddress address, Options options)
            throws IOException {
        return start(engine, pool, List.of(new Listener(address, KvsProtocol.INSTANCE)), options);
    }

    /**
     * Binds every listener (port 0 picks a free port) and starts serving; if one cannot be bound,
     * none stays bound.
     *
     * @param engine    the store to serve; the caller closes it after the server
     * @param pool      the pool that runs each connection; the server closes it
     * @param listeners the addresses to bind and their protocols, at least one
     * @param options   limits, access, TLS and expiry
     * @return the running server
     * @throws java.net.BindException if an address is in use or cannot be bound
     * @throws IOException if a socket cannot be opened
     */
    public static KvsServer start(Store engine, ThreadPool pool, List<Listener> listeners, Options options)
            throws IOException {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(pool, "pool");
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("no listener");
        }
        List<Bound> bound = new java.util.ArrayList<>();
        try {
            for (Listener l : listeners) {
                ServerSocket socket = new ServerSocket(); // TLS, if any, is layered on each connection it accepts
                bound.add(new Bound(socket, l.protocol()));
                socket.setReuseAddress(true); // a restart right after a kill can bind again
                socket.bind(l.address(), 1024);
            }
        } catch (IOException e) {
            for (Bound b : bound) {
                b.socket().close();
            }
            throw e;
        }
        KvsServer server = new KvsServer(List.copyOf(bound), engine, pool, options);
        server.acceptors.forEach(Thread::start);
        server.watchdog.start();
        return server;
    }

    /**
     * The address of the first listener (with the actual port when it bound port 0).
     *
     * @return the first listener's bound address
     */
    public InetSocketAddress address() {
        return addresses().get(0);
    }

    /**
     * The server's figures (connections, requests, the engine's), as stats and INFO report them; kvs's own, not exported to modules.
     *
     * @return the live figures
     */
    @SuppressWarnings("exports")
    public ServerStats stats() {
        return stats;
    }

    /**
     * The address of every listener, in the order given (with the actual port when it bound port 0).
     *
     * @return the bound addresses
     */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(l -> (InetSocketAddress) l.socket().getLocalSocketAddress()).toList();
    }

    private void acceptLoop(Bound listener) {
        while (!closing) {
            Socket socket;
            try {
                socket = listener.socket().accept();
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
            long id = stats.tryConnect(options.maxClients());
            Refusal refusal = id < 0 ? Refusal.MAX_CLIENTS : null;
            if (refusal == null && !options.access().admits(socket.getInetAddress())) {
                stats.disconnected();
                stats.refused();
                refusal = Refusal.PROTECTED_MODE;
            }
            Connection connection = new Connection(socket, id, refusal, listener.protocol(), dispatcher, stats,
                    options.access(), options.tls(), budget, options.maxFrame(), options.timeout().toNanos(), this::ended);
            connections.add(connection);
            try {
                pool.spawn(connection);
            } catch (RejectedExecutionException e) {
                connections.remove(connection);
                if (refusal == null) {
                    stats.disconnected();
                }
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
     * grace period, closes every connection, then closes the pool; stops the expiry cycle first.
     * Does not close the engine.
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
        if (expiry != null) {
            expiry.close();
        }
        for (Bound l : listeners) {
            try {
                l.socket().close();
            } catch (IOException e) {
                log.warn("closing the listening socket: {}", e.toString());
            }
        }
        acceptors.forEach(Threads::joinUninterruptibly);
        List.copyOf(connections).forEach(Connection::drain);
        awaitConnectionsEnded(options.closeGrace().toNanos());
        List.copyOf(connections).forEach(Connection::closeQuietly);
        pool.close();
        Threads.joinUninterruptibly(watchdog);
    }
}
