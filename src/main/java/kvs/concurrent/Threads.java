package kvs.concurrent;

/** Thread helpers shared by the engines and pools; not part of kvs's API. */
public final class Threads {

    private Threads() {
    }

    /** Waits for {@code thread} to end; an interrupt meanwhile is kept for the caller, not lost. */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
