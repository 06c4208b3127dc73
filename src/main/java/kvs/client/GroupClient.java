package kvs.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import kvs.KvsException;
import kvs.MovedException;
import kvs.NotLeaderException;
import kvs.UnavailableException;
import kvs.UnknownOutcomeException;
import kvs.client.HostPort;
import kvs.protocol.Expiry;
import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * A client of a replicated group given its members' addresses (docs/CLUSTER.md), over one connection
 * at a time. A request goes to the member last used; {@code not_leader} sends it to the leader
 * named, and in a sharded cluster {@code moved} sends it to the process named; a member that cannot be reached, drops the connection or answers {@code unavailable} is
 * left for the next one after a jittered, doubling pause (50 ms to 1 s). Each set and remove carries this
 * client's id and its own sequence number, the same on every try, so the group applies it once
 * (an expire or persist has none: see each).
 * A member silent for {@value #ATTEMPT_SECONDS} s (paused, cut off) is left too: the reply may
 * still come, so the connection is closed. After {@value #GIVE_UP_SECONDS} s without an answer a
 * request fails: a read with
 * {@link UnavailableException}, a write that may have reached a member with
 * {@link UnknownOutcomeException}. Thread-safe: concurrent calls take turns.
 */
public final class GroupClient implements Client {

    static final long GIVE_UP_SECONDS = 10;
    /** The longest one member may take to answer one try. */
    static final int ATTEMPT_SECONDS = 3;
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LAST_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<InetSocketAddress> members;
    private final KvsClient.Options options;
    private final Duration giveUp;
    private final UUID id = UUID.randomUUID();
    /** The next write's sequence number. */
    private long seq;
    /** Where requests go now: a member, or the leader a member named. */
    private InetSocketAddress target;
    private KvsClient connection;
    private boolean closed;

    private GroupClient(List<InetSocketAddress> members, KvsClient.Options options, Duration giveUp) {
        this.members = List.copyOf(members);
        this.options = options;
        this.giveUp = giveUp;
        this.target = this.members.get(0);
    }

    /**
     * A client of the group whose members' kvs addresses are {@code members}; it connects at its
     * first request.
     *
     * @param members the kvs address of every member; the first is tried first
     * @param options how to connect to each member
     * @return a client that follows the group's leader
     */
    public static GroupClient of(List<InetSocketAddress> members, KvsClient.Options options) {
        return of(members, options, Duration.ofSeconds(GIVE_UP_SECONDS));
    }

    /** As {@link #of(List, KvsClient.Options)}, giving up after {@code giveUp} (tests). */
    static GroupClient of(List<InetSocketAddress> members, KvsClient.Options options, Duration giveUp) {
        Objects.requireNonNull(options, "options");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a group client needs at least one member's address");
        }
        return new GroupClient(members, options, giveUp);
    }

    /** One try of a request on a connection. */
    private interface Attempt<T> {
        T run(KvsClient client) throws KvsException;
    }

    @Override
    public void ping() throws KvsException {
        call(false, c -> {
            c.ping();
            return null;
        });
    }

    @Override
    public Map<String, Object> stats() throws KvsException {
        return call(false, KvsClient::stats);
    }

    @Override
    public Optional<Bytes> getBytes(Bytes key) throws KvsException {
        return call(false, c -> c.getBytes(key));
    }

    @Override
    public List<Optional<Bytes>> getAll(List<Bytes> keys) throws KvsException {
        return call(false, c -> c.getAll(keys));
    }

    @Override
    public void set(Bytes key, Bytes value) throws KvsException {
        set(key, value, (Expiry) null);
    }

    @Override
    public void set(Bytes key, Bytes value, Duration ttl) throws KvsException {
        set(key, value, KvsClient.after(ttl, /* zeroAllowed= */ false));
    }

    @Override
    public void set(Bytes key, Bytes value, Instant deadline) throws KvsException {
        set(key, value, KvsClient.at(deadline));
    }

    /** A set applied once however often it is retried; a time to live counts from when the leader applies it. */
    private synchronized void set(Bytes key, Bytes value, Expiry expiry) throws KvsException {
        WriteId write = new WriteId(id, seq++);
        call(true, c -> {
            c.set(key, value, expiry, write);
            return null;
        });
    }

    @Override
    public KeyTtl ttl(Bytes key) throws KvsException {
        return call(false, c -> c.ttl(key));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Retried after a failure like any write, but without an identity: a retry of an expire
     * that was applied sets the deadline again, from the later time (or, if it removed the key,
     * answers false).
     */
    @Override
    public boolean expire(Bytes key, Duration ttl) throws KvsException {
        Expiry expiry = KvsClient.after(ttl, /* zeroAllowed= */ true);
        return call(true, c -> c.expire(key, expiry));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Retried after a failure like any write, but without an identity: a retry of one that was
     * applied sets the same deadline again (or, if it removed the key, answers false).
     */
    @Override
    public boolean expireAt(Bytes key, Instant deadline) throws KvsException {
        Expiry expiry = KvsClient.at(deadline);
        return call(true, c -> c.expire(key, expiry));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Retried after a failure like any write, but without an identity: a retry of a persist
     * that was applied answers false.
     */
    @Override
    public boolean persist(Bytes key) throws KvsException {
        return call(true, c -> c.persist(key));
    }

    @Override
    public synchronized void remove(Bytes key) throws KvsException {
        WriteId write = new WriteId(id, seq++);
        call(true, c -> {
            c.remove(key, write);
            return null;
        });
    }

    private synchronized <T> T call(boolean write, Attempt<T> attempt) throws KvsException {
        if (closed) {
            throw new IllegalStateException("GroupClient is closed");
        }
        long deadline = System.nanoTime() + giveUp.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        boolean maybeApplied = false;
        boolean followed = false; // since the last pause: members naming one another wait like the rest
        List<String> failures = new ArrayList<>();
        while (true) {
            KvsClient c;
            try {
                c = connection();
            } catch (KvsException e) {
                boolean unreachable = e.getCause() instanceof IOException && !(e.getCause() instanceof SSLException);
                if (!unreachable && !(e instanceof UnavailableException)) {
                    throw e; // refused (TLS, the password): another try would be refused alike
                }
                failures.add(e.getMessage());
                moveOn();
                pause = await(pause, deadline, write && maybeApplied, failures);
                followed = false;
                continue;
            }
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                c.replyTimeout((int) Math.max(1, Math.min(left, TimeUnit.SECONDS.toMillis(ATTEMPT_SECONDS))));
                return attempt.run(c);
            } catch (NotLeaderException e) {
                failures.add(HostPort.show(c.address()) + ": " + e.getMessage());
                InetSocketAddress leader = e.leader().map(GroupClient::parse).orElse(null);
                if (leader != null && !leader.equals(c.address())) {
                    follow(leader);
                    if (!followed) {
                        followed = true;
                        continue; // at once: the member named the leader
                    }
                } else {
                    moveOn();
                }
            } catch (MovedException e) {
                // a sharded cluster: another process serves the key's slot; nothing was done here
                failures.add(HostPort.show(c.address()) + ": " + e.getMessage());
                InetSocketAddress owner = parse(e.address());
                if (owner != null && !owner.equals(c.address())) {
                    follow(owner);
                    if (!followed) {
                        followed = true;
                        continue;
                    }
                }
            } catch (UnavailableException e) {
                maybeApplied = true; // the member may have submitted it before giving up
                failures.add(e.getMessage());
                moveOn();
            } catch (KvsException e) {
                if (!(e.getCause() instanceof IOException)) {
                    throw e; // the server's answer: a missing key, a refused request...
                }
                maybeApplied = true; // the connection failed after the request may have been sent
                failures.add(e.getMessage());
                moveOn();
            }
            pause = await(pause, deadline, write && maybeApplied, failures);
            followed = false;
        }
    }

    /** Sleeps a jittered {@code pause} and returns the next, or fails if the deadline would pass. */
    private long await(long pause, long deadline, boolean unknown, List<String> failures) throws KvsException {
        long sleep = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
        if (System.nanoTime() + sleep - deadline > 0) {
            String what = "no member of the group answered within " + giveUp.toSeconds() + " s (last: "
                    + failures.get(failures.size() - 1) + ")";
            if (unknown) {
                throw new UnknownOutcomeException("the write's outcome is unknown: " + what
                        + "; it may or may not have been applied", null);
            }
            throw new UnavailableException(what);
        }
        try {
            TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for the group", e);
        }
        return Math.min(2 * pause, LAST_PAUSE_NANOS);
    }

    private KvsClient connection() throws KvsException {
        if (connection == null) {
            connection = KvsClient.connect(target, options);
        }
        return connection;
    }

    /** Sends the next requests to {@code leader}. */
    private void follow(InetSocketAddress leader) {
        dropConnection();
        target = leader;
    }

    /** Sends the next requests to the member after the current target in the list. */
    private void moveOn() {
        dropConnection();
        int i = members.indexOf(target);
        target = members.get((i + 1) % members.size()); // a named leader not in the list: back to the first
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (KvsException e) {
                // the connection is gone either way
            }
            connection = null;
        }
    }

    /** A leader's address as a member names it ({@link HostPort#show}), or null if it does not read as one. */
    private static InetSocketAddress parse(String hostPort) {
        try {
            return HostPort.parse(hostPort);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        dropConnection();
    }
}
