package kvs.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** A server's counters, for the protocols' INFO-like commands. Not API. */
public final class ServerStats {

    private final long startMillis = System.currentTimeMillis();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private final LongAdder commands = new LongAdder();

    /** When the server started (milliseconds since the epoch). */
    public long startMillis() {
        return startMillis;
    }

    /** Connections open now. */
    public int connectedClients() {
        return connected.get();
    }

    /** Connections accepted since the start. */
    public long totalConnections() {
        return connections.get();
    }

    /** Requests answered since the start. */
    public long totalCommands() {
        return commands.sum();
    }

    /** Counts {@code n} requests answered. */
    public void commandsAnswered(int n) {
        commands.add(n);
    }

    /** Counts a connection accepted; returns its client id (1, 2, ... in the order of accepting). */
    long connected() {
        connected.incrementAndGet();
        return connections.incrementAndGet();
    }

    void disconnected() {
        connected.decrementAndGet();
    }
}
