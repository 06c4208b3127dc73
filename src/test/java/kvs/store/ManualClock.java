package kvs.store;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand, so deadlines pass without sleeping; safe to read from any thread. */
public final class ManualClock implements InstantSource {

    private final AtomicLong millis;

    /** A clock at {@code millis} (Unix milliseconds). */
    public ManualClock(long millis) {
        this.millis = new AtomicLong(millis);
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(1_767_225_600_000L);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    /** Moves the clock on by {@code ms} milliseconds; returns the new time. */
    public long advance(long ms) {
        return millis.addAndGet(ms);
    }

    /** Sets the clock to {@code at} (Unix milliseconds). */
    public void set(long at) {
        millis.set(at);
    }
}
