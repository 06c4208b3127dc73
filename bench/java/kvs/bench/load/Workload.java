package kvs.bench.load;

import java.net.InetSocketAddress;
import java.time.Duration;

import kvs.client.HostPort;

/**
 * One load, as redis-benchmark describes one: {@code clients} connections, each sending
 * {@code pipeline} requests at a time and waiting for all their replies, over a space of
 * {@code keys} keys, gets and sets mixed {@code getWeight:setWeight}, until {@code requests}
 * have been answered or {@code duration} has passed.
 *
 * @param requests   requests to send, or 0 to run for {@code duration}
 * @param duration   how long to send, or null to send {@code requests}
 * @param sequential keys in order 0, 1, 2... rather than at random (to fill the key space)
 * @param threads    event loops sharing the connections
 */
public record Workload(Target target, InetSocketAddress address, int clients, int threads, int pipeline,
                       int keys, int valueSize, int getWeight, int setWeight, long requests, Duration duration,
                       boolean sequential) {

    public Workload {
        require(clients >= 1, "clients must be at least 1");
        require(threads >= 1, "threads must be at least 1");
        require(pipeline >= 1, "pipeline must be at least 1");
        require(keys >= 1, "keys must be at least 1");
        require(valueSize >= 0 && valueSize <= 1 << 20, "value size must be between 0 and 1048576 bytes");
        require(getWeight >= 0 && setWeight >= 0 && getWeight + setWeight > 0,
                "ratio must be GETS:SETS, two numbers not both 0");
        require((requests > 0) != (duration != null), "give either requests or a duration");
        require(duration == null || !duration.isNegative() && !duration.isZero(), "duration must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The same load, run for {@code d} instead. */
    public Workload lasting(Duration d) {
        return new Workload(target, address, clients, threads, pipeline, keys, valueSize, getWeight, setWeight,
                0, d, sequential);
    }

    /** A set of every key once, in order: run before gets so that they hit. */
    public Workload fill() {
        return new Workload(target, address, clients, threads, Math.max(pipeline, 16), keys, valueSize, 0, 1,
                keys, null, true);
    }

    /** The value every set writes: {@code valueSize} times 'x', as redis-benchmark's. */
    String value() {
        return "x".repeat(valueSize);
    }

    /** The mix as typed on the command line, e.g. {@code 9:1}. */
    public String ratio() {
        return getWeight + ":" + setWeight;
    }

    /** A one-line description, e.g. {@code SET, 16-byte values, 50 clients, pipeline 1, 100000 keys}. */
    public String describe() {
        String ops = setWeight == 0 ? "GET" : getWeight == 0 ? "SET" : "GET:SET " + ratio();
        return ops + ", " + valueSize + "-byte values, " + clients + " clients, pipeline " + pipeline + ", "
                + keys + " keys, " + target.cliName() + " at " + HostPort.show(address);
    }
}
