package kvs.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.client.HostPort;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Expiry;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.Tls;
import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * A client of kvs-server over one persistent connection, with {@link kvs.KvsEngine}'s types (and
 * {@link Bytes} for keys and values of any bytes) and
 * exceptions: a server-side "Key not found" is a {@link KeyNotFoundException} again, any other
 * error a {@link KvsException} with the server's code and message. Thread-safe: concurrent
 * calls take turns on the connection.
 */
public final class KvsClient implements Client {

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    /**
     * How to connect: the largest response accepted (default 16 MiB), the password to
     * authenticate with on connecting (default: none), and TLS (default: none, plain TCP).
     *
     * @param maxFrame the largest response accepted, in bytes
     * @param password the password sent on connecting, or null for none
     * @param tls      the TLS settings, or null for plain TCP
     */
    public record Options(int maxFrame, String password, Tls tls) {
        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException if {@code maxFrame} is not positive
         */
        public Options {
            if (maxFrame < 1) {
                throw new IllegalArgumentException("maxFrame must be positive: " + maxFrame);
            }
        }

        /**
         * The defaults: responses up to 16 MiB, no password, plain TCP.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(Frames.DEFAULT_MAX_FRAME, null, null);
        }

        /**
         * These options accepting responses up to {@code maxFrame} bytes.
         *
         * @param maxFrame the largest response accepted, in bytes
         * @return the new options
         */
        public Options withMaxFrame(int maxFrame) {
            return new Options(maxFrame, password, tls);
        }

        /**
         * These options with {@code password} sent on connecting.
         *
         * @param password the password, or null for none
         * @return the new options
         */
        public Options withPassword(String password) {
            return new Options(maxFrame, password, tls);
        }

        /**
         * These options with the connection over TLS.
         *
         * @param tls the TLS settings, or null for plain TCP
         * @return the new options
         */
        public Options withTls(Tls tls) {
            return new Options(maxFrame, password, tls);
        }

        @Override
        public String toString() {
            return "Options[maxFrame=" + maxFrame + ", password=" + (password == null ? "none" : "hidden")
                    + ", tls=" + (tls != null) + "]";
        }
    }

    private final InetSocketAddress address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int maxFrame;
    private boolean closed;
    /** Whether the server answered a ttl, so understands a set's deadline; set once, by any calling thread. */
    private volatile boolean expiryKnown;

    private KvsClient(InetSocketAddress address, Socket socket, int maxFrame) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.maxFrame = maxFrame;
    }

    /**
     * Connects to a kvs-server at {@code address} with the default options.
     *
     * @param address the server's kvs address
     * @return a connected client
     * @throws KvsException if the server cannot be reached
     */
    public static KvsClient connect(InetSocketAddress address) throws KvsException {
        return connect(address, Options.defaults());
    }

    /**
     * Connects to a kvs-server at {@code address}, accepting responses up to {@code maxFrame} bytes.
     *
     * @param address  the server's kvs address
     * @param maxFrame the largest response accepted, in bytes
     * @return a connected client
     * @throws KvsException if the server cannot be reached
     */
    public static KvsClient connect(InetSocketAddress address, int maxFrame) throws KvsException {
        return connect(address, Options.defaults().withMaxFrame(maxFrame));
    }

    /**
     * Connects to a kvs-server at {@code address}, and authenticates if the options hold a password.
     *
     * @param address the server's kvs address
     * @param options how to connect
     * @return a connected (and authenticated) client
     * @throws KvsException if the server cannot be reached, or refuses the password
     */
    public static KvsClient connect(InetSocketAddress address, Options options) throws KvsException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Socket socket = new Socket();
        KvsClient client;
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, CONNECT_TIMEOUT_MS);
            if (options.tls() != null) {
                socket.setSoTimeout(CONNECT_TIMEOUT_MS); // for the handshake
                socket = options.tls().wrap(socket, address.getHostString(), address.getPort());
                socket.setSoTimeout(0);
            }
            client = new KvsClient(address, socket, options.maxFrame());
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new KvsException("cannot connect to " + HostPort.show(address) + ": " + e.getMessage(), e);
        }
        if (options.password() != null) {
            try {
                client.expect(client.call(new Request.Auth(options.password())), Response.Ok.class);
            } catch (KvsException | RuntimeException e) {
                try {
                    client.close();
                } catch (KvsException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return client;
    }

    @Override
    public void ping() throws KvsException {
        expect(call(new Request.Ping()), Response.Ok.class);
    }

    @Override
    public Map<String, Object> stats() throws KvsException {
        return expect(call(new Request.Stats()), Response.Stats.class).stats();
    }

    /**
     * Moves {@code count} slots of shard {@code from} with their keys to shard {@code to} (a sharded
     * cluster, docs/CLUSTER.md, "Moving slots"); returns once the move is done, however long it takes.
     *
     * @param from  the shard the slots leave
     * @param to    the shard they join
     * @param count how many slots, 1 or more
     * @throws KvsException the server's refusal ({@code bad_request}: not a sharded cluster, no such
     *                      shard, too many slots, another move under way), or a connection failure
     */
    public void moveSlots(int from, int to, int count) throws KvsException {
        expect(call(new Request.MoveSlots(from, to, count)), Response.Ok.class);
    }

    /**
     * Adds a shard of {@code members} to a sharded cluster (docs/CLUSTER.md, "Adding a shard"): each
     * a process's id, or {@code ID=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT} for one started with
     * {@code kvs-server --join}, the first expected to lead it; returns once the shard has a leader.
     *
     * @param members 3 or 5 processes
     * @throws KvsException the server's refusal ({@code bad_request}: not a sharded cluster, members
     *                      not valid, another shard added meanwhile), or a connection failure
     */
    public void addShard(List<String> members) throws KvsException {
        expect(call(new Request.AddShard(members)), Response.Ok.class);
    }

    /**
     * Moves slots until every shard of a sharded cluster owns an even share (docs/CLUSTER.md,
     * "Adding a shard"); returns once done, however long it takes.
     *
     * @throws KvsException the server's refusal ({@code bad_request}: not a sharded cluster, another
     *                      move under way), or a connection failure
     */
    public void rebalance() throws KvsException {
        expect(call(new Request.Rebalance()), Response.Ok.class);
    }

    @Override
    public Optional<Bytes> getBytes(Bytes key) throws KvsException {
        return Optional.ofNullable(expect(call(new Request.Get(key)), Response.Value.class).value());
    }

    @Override
    public List<Optional<Bytes>> getAll(List<Bytes> keys) throws KvsException {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Bytes> values = expect(call(new Request.GetAll(keys)), Response.Values.class).values();
        if (values.size() != keys.size()) {
            throw new KvsException("unexpected response from " + HostPort.show(address) + ": " + values.size()
                    + " values for " + keys.size() + " keys");
        }
        return values.stream().map(Optional::ofNullable).toList();
    }

    @Override
    public void set(Bytes key, Bytes value) throws KvsException {
        set(key, value, null, null);
    }

    @Override
    public void set(Bytes key, Bytes value, Duration ttl) throws KvsException {
        set(key, value, after(ttl, /* zeroAllowed= */ false), null);
    }

    @Override
    public void set(Bytes key, Bytes value, Instant deadline) throws KvsException {
        set(key, value, at(deadline), null);
    }

    @Override
    public KeyTtl ttl(Bytes key) throws KvsException {
        return keyTtl(expect(call(new Request.Ttl(key)), Response.Ttl.class));
    }

    @Override
    public boolean expire(Bytes key, Duration ttl) throws KvsException {
        return expire(key, after(ttl, /* zeroAllowed= */ true));
    }

    @Override
    public boolean expireAt(Bytes key, Instant deadline) throws KvsException {
        return expire(key, at(deadline));
    }

    @Override
    public boolean persist(Bytes key) throws KvsException {
        return expect(call(new Request.Persist(key)), Response.Changed.class).changed();
    }

    @Override
    public void remove(Bytes key) throws KvsException {
        remove(key, null);
    }

    /**
     * A set a replicated group applies once however often it is sent with {@code id} (GroupClient's
     * retries); {@code expiry} and {@code id} may be null. A set with an expiry goes only to a
     * server known to understand it: one from before expiry would ignore the field and keep the
     * key for ever.
     */
    void set(Bytes key, Bytes value, Expiry expiry, WriteId id) throws KvsException {
        Request.Set request = new Request.Set(key, value, expiry, id);
        if (expiry != null) {
            checkExpiry();
        }
        expect(call(request), Response.Ok.class);
    }

    boolean expire(Bytes key, Expiry expiry) throws KvsException {
        return expect(call(new Request.Expire(key, expiry)), Response.Changed.class).changed();
    }

    /** A remove a replicated group applies once however often it is sent with {@code id}; {@code id} may be null. */
    void remove(Bytes key, WriteId id) throws KvsException {
        expect(call(new Request.Remove(key, id)), Response.Ok.class);
    }

    /** Asks the server a ttl once per connection: one from before expiry answers it bad_request (an unknown op). */
    private void checkExpiry() throws KvsException {
        if (expiryKnown) {
            return;
        }
        Response reply = call(new Request.Ttl(Bytes.EMPTY));
        if (reply instanceof Response.Error e && e.is(ErrorCode.BAD_REQUEST)) {
            throw new KvsException(HostPort.show(address) + " does not support key expiry (to a ttl request it answered: "
                    + e.message() + "); nothing was written");
        }
        expect(reply, Response.Ttl.class);
        expiryKnown = true;
    }

    /** {@code ttl} in milliseconds, as a request's time to live. */
    static Expiry.After after(Duration ttl, boolean zeroAllowed) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || !zeroAllowed && ttl.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("a time to live must be " + (zeroAllowed ? "0 or more" : "at least 1 ms")
                    + ": " + ttl);
        }
        try {
            return new Expiry.After(ttl.toMillis());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a time to live must be below 2^63 ms: " + ttl, e);
        }
    }

    /** {@code deadline} in Unix milliseconds, as a request's deadline. */
    static Expiry.At at(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        long millis;
        try {
            millis = deadline.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a deadline must be below 2^63 ms after the Unix epoch: " + deadline, e);
        }
        if (millis <= 0) {
            throw new IllegalArgumentException("a deadline must be 1 ms or more after the Unix epoch: " + deadline);
        }
        return new Expiry.At(millis);
    }

    private static KeyTtl keyTtl(Response.Ttl t) {
        if (!t.exists()) {
            return KeyTtl.ABSENT;
        }
        if (t.deadline() == 0) {
            return KeyTtl.NO_DEADLINE;
        }
        return new KeyTtl.Expires(Instant.ofEpochMilli(t.deadline()), Duration.ofMillis(t.ttl()));
    }

    /**
     * Fails a call whose reply has not come within {@code millis} (0: wait for ever, the default);
     * the connection is then in an unknown state and must be closed.
     */
    void replyTimeout(int millis) throws KvsException {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new KvsException(HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }

    /** The server's address. */
    InetSocketAddress address() {
        return address;
    }

    private synchronized Response call(Request request) throws KvsException {
        if (closed) {
            throw new IllegalStateException("KvsClient is closed");
        }
        byte[] body = Codec.encode(request);
        if (body.length > maxFrame) {
            throw new KvsException("the request of " + body.length + " bytes is above the maximum frame of "
                    + maxFrame + " bytes");
        }
        try {
            Frames.write(out, body);
            out.flush();
            byte[] reply = Frames.read(in, maxFrame);
            if (reply == null) {
                throw new EOFException("the server closed the connection");
            }
            return Codec.decodeResponse(reply);
        } catch (IOException e) {
            throw new KvsException(HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }

    private <T extends Response> T expect(Response response, Class<T> type) throws KvsException {
        if (response instanceof Response.Error e) {
            throw ErrorCode.exception(e.code(), e.message(), e.leader(), HostPort.show(address));
        }
        if (!type.isInstance(response)) {
            throw new KvsException("unexpected response from " + HostPort.show(address) + ": " + response);
        }
        return type.cast(response);
    }

    @Override
    public synchronized void close() throws KvsException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            throw new KvsException("closing the connection to " + HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }
}
