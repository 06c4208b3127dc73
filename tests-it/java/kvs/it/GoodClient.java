package kvs.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import kvs.client.KvsClient;
import kvs.concurrent.Threads;

/**
 * A well-behaved client beside the abusive ones: sets and reads back its own keys in a loop on
 * one connection, timing each request, until closed. Any wrong answer or error is kept.
 */
final class GoodClient implements AutoCloseable {

    private final Thread thread;
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stop;

    /** Starts the loop against {@code server}'s kvs listener, through its transport. */
    GoodClient(ServerProcess server) {
        thread = Thread.ofPlatform().name("good-client").start(() -> run(server));
    }

    private void run(ServerProcess server) {
        try (KvsClient client = server.client()) {
            for (long i = 0; !stop; i++) {
                String key = "good" + (i % 100);
                long t0 = System.nanoTime();
                client.set(key, "v" + i);
                long t1 = System.nanoTime();
                Optional<String> read = client.get(key);
                long t2 = System.nanoTime();
                latencies.add(t1 - t0);
                latencies.add(t2 - t1);
                if (!read.equals(Optional.of("v" + i))) {
                    failures.add("get " + key + " returned " + read + ", not v" + i);
                }
            }
        } catch (Exception e) {
            failures.add(e.toString());
        }
    }

    /** Requests done so far. */
    int requests() {
        return latencies.size();
    }

    /** Stops the loop and waits for it. */
    @Override
    public void close() {
        stop = true;
        Threads.joinUninterruptibly(thread);
    }

    List<String> failures() {
        return failures;
    }

    /** The longest request, in milliseconds. */
    double maxMillis() {
        return percentileMillis(100);
    }

    double percentileMillis(double p) {
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        sorted.sort(null);
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

    String summary() {
        return String.format("%d requests, p50 %.2f ms, p99 %.2f ms, max %.1f ms",
                requests(), percentileMillis(50), percentileMillis(99), maxMillis());
    }
}
