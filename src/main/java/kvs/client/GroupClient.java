package kvs.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
import kvs.slots.HashSlot;
import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * A client of a replicated group given its members' addresses (docs/CLUSTER.md), with a connection
 * to each member it sends requests to. A request goes to the member last used; {@code not_leader}
 * sends it to the leader named. In a sharded cluster, {@code moved} sends it to the process named,
 * and every later request of that hash slot goes there at once (the client learns the slot map
 * as the cluster answers). A member that cannot be reached, drops the connection or answers
 * {@code unavailable} is left for the next one after a jittered, doubling pause (50 ms to 1 s). Each set and remove carries this
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
    /** A request with no key (ping, stats), or keys of several slots: it goes to the target. */
    private static final int NO_SLOT = -1;
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
    /** A connection to each address requests went to, kept while it works. */
    private final Map<InetSocketAddress, KvsClient> connections = new HashMap<>();
    /** In a sharded cluster, the process each slot's requests go to, as {@code moved} answers named it; null before the first. */
    private InetSocketAddress[] slotOwners;
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
        call(false, NO_SLOT, c -> {
            c.ping();
            return null;
        });
    }

    @Override
    public Map<String, Object> stats() throws KvsException {
        return call(false, NO_SLOT, KvsClient::stats);
    }

    @Override
    public Optional<Bytes> getBytes(Bytes key) throws KvsException {
        return call(false, HashSlot.of(key), c -> c.getBytes(key));
    }

    @Override
    public List<Optional<Bytes>> getAll(List<Bytes> keys) throws KvsException {
        return call(false, keys.isEmpty() ? NO_SLOT : Math.max(NO_SLOT, HashSlot.common(keys)), c -> c.getAll(keys));
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
        call(true, HashSlot.of(key), c -> {
            c.set(key, value, expiry, write);
            return null;
        });
    }

    @Override
    public KeyTtl ttl(Bytes key) throws KvsException {
        return call(false, HashSlot.of(key), c -> c.ttl(key));
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
        return call(true, HashSlot.of(key), c -> c.expire(key, expiry));
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
        return call(true, HashSlot.of(key), c -> c.expire(key, expiry));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Retried after a failure like any write, but without an identity: a retry of a persist
     * that was applied answers false.
     */
    @Override
    public boolean persist(Bytes key) throws KvsException {
        return call(true, HashSlot.of(key), c -> c.persist(key));
    }

    @Override
    public synchronized void remove(Bytes key) throws KvsException {
        WriteId write = new WriteId(id, seq++);
        call(true, HashSlot.of(key), c -> {
            c.remove(key, write);
            return null;
        });
    }

    /**
     * Runs {@code attempt} on the member or process that serves {@code slot} (the hash slot of the
     * request's keys, or {@link #NO_SLOT}), following what the answers say, until it is answered.
     */
    private synchronized <T> T call(boolean write, int slot, Attempt<T> attempt) throws KvsException {
        if (closed) {
            throw new IllegalStateException("GroupClient is closed");
        }
        long deadline = System.nanoTime() + giveUp.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        boolean maybeApplied = false;
        boolean followed = false; // since the last pause: members naming one another wait like the rest
        List<String> failures = new ArrayList<>();
        while (true) {
            InetSocketAddress to = destination(slot);
            KvsClient c;
            try {
                c = connection(to);
            } catch (KvsException e) {
                boolean unreachable = e.getCause() instanceof IOException && !(e.getCause() instanceof SSLException);
                if (!unreachable && !(e instanceof UnavailableException)) {
                    throw e; // refused (TLS, the password): another try would be refused alike
                }
                failures.add(e.getMessage());
                leave(to, slot);
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
                    follow(to, slot, leader);
                    if (!followed) {
                        followed = true;
                        continue; // at once: the member named the leader
                    }
                } else {
                    leave(to, slot);
                }
            } catch (MovedException e) {
                // a sharded cluster: another process serves the key's slot; nothing was done here
                failures.add(HostPort.show(c.address()) + ": " + e.getMessage());
                InetSocketAddress owner = parse(e.address());
                if (owner != null && !owner.equals(c.address())) {
                    route(e.slot() >= 0 ? e.slot() : slot, owner);
                    if (!followed) {
                        followed = true;
                        continue;
                    }
                }
            } catch (UnavailableException e) {
                maybeApplied = true; // the member may have submitted it before giving up
                failures.add(e.getMessage());
                leave(to, slot);
            } catch (KvsException e) {
                if (!(e.getCause() instanceof IOException)) {
                    throw e; // the server's answer: a missing key, a refused request...
                }
                maybeApplied = true; // the connection failed after the request may have been sent
                failures.add(e.getMessage());
                leave(to, slot);
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

    /** Where a request of {@code slot} goes: the process a {@code moved} named for the slot, or the target. */
    private InetSocketAddress destination(int slot) {
        InetSocketAddress owner = slot == NO_SLOT || slotOwners == null ? null : slotOwners[slot];
        return owner != null ? owner : target;
    }

    /** The connection to {@code to}, made if there is none. */
    private KvsClient connection(InetSocketAddress to) throws KvsException {
        KvsClient c = connections.get(to);
        if (c == null) {
            c = KvsClient.connect(to, options);
            connections.put(to, c);
        }
        return c;
    }

    /** Sends {@code slot}'s requests to {@code owner} from now on (a sharded cluster's {@code moved}). */
    private void route(int slot, InetSocketAddress owner) {
        if (slot == NO_SLOT) {
            target = owner;
            return;
        }
        if (slotOwners == null) {
            slotOwners = new InetSocketAddress[HashSlot.SLOTS];
        }
        slotOwners[slot] = owner;
    }

    /** {@code to}, where a request of {@code slot} went, named {@code leader} as the leader: the next requests go there. */
    private void follow(InetSocketAddress to, int slot, InetSocketAddress leader) {
        if (!to.equals(target)) {
            route(slot, leader); // to was the slot's process: its shard's leader moved
        } else {
            target = leader;
        }
    }

    /**
     * {@code to} failed a request of {@code slot}: its connection is dropped, and the slot's
     * requests go to the target again; if {@code to} was the target, the target moves on to the
     * next member in the list.
     */
    private void leave(InetSocketAddress to, int slot) {
        dropConnection(to);
        if (slot != NO_SLOT && slotOwners != null && to.equals(slotOwners[slot])) {
            slotOwners[slot] = null;
        }
        if (to.equals(target)) {
            int i = members.indexOf(target);
            target = members.get((i + 1) % members.size()); // a named leader not in the list: back to the first
        }
    }

    private void dropConnection(InetSocketAddress to) {
        KvsClient c = connections.remove(to);
        if (c != null) {
            try {
                c.close();
            } catch (KvsException e) {
                // the connection is gone either way
            }
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
        for (InetSocketAddress to : List.copyOf(connections.keySet())) {
            dropConnection(to);
        }
    }
}
