package kvs.engine;

/** Thread helpers for shutting down the engines' background threads. */
final class Threads {

    private Threads() {
    }

    /** Waits for {@code thread} to end; an interrupt meanwhile is kept for the caller, not lost. */
    static void joinUninterruptibly(Thread thread) {
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
