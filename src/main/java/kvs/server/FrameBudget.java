package kvs.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import kvs.session.MemoryRoom;

/**
 * Room for the large request frames all connections are receiving at once, so that clients
 * sending large frames slowly cannot fill the heap together. A frame above {@link #SMALL} bytes
 * reserves its length before its body is read and gives it back once it is answered; small
 * frames, whatever else is going on, are never held up.
 */
final class FrameBudget implements MemoryRoom {

    /** Frames up to this size need no room. */
    static final int SMALL = 64 << 10;

    /** Fair, so a large frame waiting is not passed over by smaller ones forever; counted in KiB. */
    private final Semaphore kib;
    private final int totalKib;

    /** A budget of {@code bytes}, at least one request with a value of {@code maxFrame} (and its other bytes). */
    FrameBudget(long bytes, int maxFrame) {
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, (long) maxFrame + SMALL) + 1023 >> 10);
        this.kib = new Semaphore(totalKib, true);
    }

    /** The default: a quarter of the maximum heap, at least one frame of {@code maxFrame}. */
    static FrameBudget forHeap(int maxFrame) {
        return new FrameBudget(Runtime.getRuntime().maxMemory() / 4, maxFrame);
    }

    /**
     * Reserves room for a frame of {@code length} bytes, waiting at most {@code timeoutNanos}.
     *
     * @return the room reserved, to {@link #release}: 0 for a small frame; -1 if none came in time,
     *         or at once if the frame is larger than the whole budget
     */
    int reserve(int length, long timeoutNanos) throws InterruptedException {
        if (length <= SMALL) {
            return 0;
        }
        int need = kibOf(length);
        if (need > totalKib) {
            return -1;
        }
        return kib.tryAcquire(need, timeoutNanos, TimeUnit.NANOSECONDS) ? need : -1;
    }

    /** Gives back what {@link #reserve} returned. */
    void release(int reserved) {
        if (reserved > 0) {
            kib.release(reserved);
        }
    }

    /** Reserves {@code bytes}, rounded up to whole KiB, if there is room now: what a session keeps between requests. */
    @Override
    public boolean reserve(long bytes) {
        return bytes <= 0 || kib.tryAcquire(kibOf(bytes));
    }

    @Override
    public void release(long bytes) {
        if (bytes > 0) {
            kib.release(kibOf(bytes));
        }
    }

    private static int kibOf(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) >> 10);
    }
}
