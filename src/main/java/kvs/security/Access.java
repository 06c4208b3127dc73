package kvs.security;

import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use a server (README.md, "Running it safely"): with a password, whoever proves they know it; without one,
 * in protected mode (the default), only clients on the loopback interface. Counts failed
 * password attempts and logs them at most once a second. Immutable settings, thread-safe counters.
 */
public final class Access {

    private static final Logger log = LoggerFactory.getLogger(Access.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Password password;
    private final boolean protectedMode;
    /** Which peers count as local; loopback addresses, except in tests that make a peer look remote. */
    private final Predicate<InetAddress> local;
    private final LongAdder failures = new LongAdder();
    /** System.nanoTime() of the last failure logged, and the failures since; for the rate limit. */
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong unlogged = new AtomicLong();

    private Access(Password password, boolean protectedMode, Predicate<InetAddress> local) {
        this.password = password;
        this.protectedMode = protectedMode;
        this.local = Objects.requireNonNull(local, "local");
    }

    /**
     * No password, protected mode on: loopback clients only.
     *
     * @return the default settings
     */
    public static Access defaults() {
        return new Access(null, /* protectedMode= */ true, InetAddress::isLoopbackAddress);
    }

    /**
     * These settings with {@code password} required of every client (null: none).
     *
     * @param password the password every client must give, or null for none
     * @return the new settings
     */
    public Access withPassword(Password password) {
        return new Access(password, protectedMode, local);
    }

    /**
     * These settings with protected mode on or off (it matters only without a password).
     *
     * @param on whether, without a password, only local clients may connect
     * @return the new settings
     */
    public Access withProtectedMode(boolean on) {
        return new Access(password, on, local);
    }

    /**
     * For tests: which peer addresses count as local (the loopback interface by default).
     *
     * @param isLocal whether a peer address counts as local
     * @return the new settings
     */
    public Access withLocalPeers(Predicate<InetAddress> isLocal) {
        return new Access(password, protectedMode, isLocal);
    }

    /**
     * Whether clients must authenticate.
     *
     * @return whether a password is set
     */
    public boolean passwordSet() {
        return password != null;
    }

    /**
     * Whether a client at {@code peer} may connect at all: false only in protected mode, without a password, for a remote peer.
     *
     * @param peer the client's address
     * @return whether the client may connect
     */
    public boolean admits(InetAddress peer) {
        return password != null || !protectedMode || local.test(peer);
    }

    /**
     * The gate of a new connection from {@code peer} (named in the log of failed attempts).
     *
     * @param peer the client, as the log of failed attempts names it
     * @return the connection's gate, shut while a password is still owed
     */
    public Guard guard(Object peer) {
        return new Guard(this, peer);
    }

    /**
     * Failed password attempts since the start.
     *
     * @return the number of wrong passwords given
     */
    public long failures() {
        return failures.sum();
    }

    /**
     * What the start-up log says about access.
     *
     * @return one line: whether a password is set, and protected mode
     */
    public String describe() {
        if (password != null) {
            return "a password is required";
        }
        return protectedMode ? "protected mode: no password, loopback clients only"
                : "no password and protected mode off: anyone who can reach the port may read and write";
    }

    /** Whether {@code guess} is the password; a wrong one is counted and logged (at most once a second). */
    boolean check(byte[] guess, Object peer) {
        if (password != null && password.matches(guess)) {
            return true;
        }
        failures.increment();
        unlogged.incrementAndGet();
        long last = lastLogged.get();
        long now = System.nanoTime();
        if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
            log.warn("authentication failed: {} wrong password(s) in the last {} ms, the latest from {}",
                    unlogged.getAndSet(0), TimeUnit.NANOSECONDS.toMillis(now - last), peer);
        }
        return false;
    }
}
