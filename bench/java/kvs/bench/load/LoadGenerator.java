package kvs.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import kvs.client.HostPort;
import org.HdrHistogram.Histogram;

/**
 * Drives one workload: its connections are shared among {@code threads} event loops (one by
 * default, as redis-benchmark), each a selector over non-blocking sockets, so the generator
 * spends little of the machine it shares with the server.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /**
     * Runs {@code w} and returns what it measured.
     *
     * @param progress called now and then with the requests answered so far (may be a no-op)
     * @throws ConnectException if the server cannot be reached
     * @throws IOException      if a connection fails or a reply is wrong: the run stops
     */
    public static Result run(Workload w, LongConsumer progress) throws IOException, InterruptedException {
        List<Loop> loops = new ArrayList<>();
        try {
            for (int t = 0; t < w.threads(); t++) {
                loops.add(new Loop(w));
            }
            for (int c = 0; c < w.clients(); c++) {
                loops.get(c % loops.size()).connect();
            }
            return runLoops(w, loops, progress);
        } finally {
            for (Loop loop : loops) {
                loop.close();
            }
        }
    }

    private static Result runLoops(Workload w, List<Loop> loops, LongConsumer progress)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Budget budget = Budget.of(w, start);
        AtomicInteger nextKey = new AtomicInteger();
        LongAdder answered = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (Loop loop : loops) {
            threads.add(Thread.ofPlatform().name("kvs-bench-loop-", threads.size()).start(
                    () -> loop.run(start, budget, nextKey, answered)));
        }
        for (Thread t : threads) {
            while (!t.join(java.time.Duration.ofMillis(250))) {
                progress.accept(answered.sum());
            }
        }
        long nanos = System.nanoTime() - start;
        progress.accept(answered.sum());
        Histogram latency = Result.newHistogram();
        long gets = 0, sets = 0, misses = 0;
        long[] perTick = new long[0];
        for (Loop loop : loops) {
            if (loop.failure != null) {
                throw loop.failure;
            }
            latency.add(loop.latency);
            gets += loop.gets;
            sets += loop.sets;
            misses += loop.misses;
            perTick = sum(perTick, loop.perTick, loop.ticks);
        }
        return new Result(w, nanos, gets, sets, misses, latency, perTick);
    }

    private static long[] sum(long[] a, long[] b, int bLength) {
        long[] s = Arrays.copyOf(a, Math.max(a.length, bLength));
        for (int i = 0; i < bLength; i++) {
            s[i] += b[i];
        }
        return s;
    }

    /** One event loop and the connections it serves. */
    private static final class Loop {
        private final Workload w;
        private final Selector selector;
        private final List<Conn> conns = new ArrayList<>();
        private final SplittableRandom random = new SplittableRandom();
        private final Histogram latency = Result.newHistogram();
        private long gets, sets, misses;
        private long[] perTick = new long[64];
        private int ticks;
        private IOException failure;

        Loop(Workload w) throws IOException {
            this.w = w;
            this.selector = Selector.open();
        }

        void connect() throws IOException {
            SocketChannel channel;
            try {
                channel = SocketChannel.open(w.address());
            } catch (IOException e) {
                throw (ConnectException) new ConnectException("cannot connect to " + w.target().cliName() + " at "
                        + HostPort.show(w.address()) + ": " + e.getMessage()).initCause(e);
            }
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                conns.add(new Conn(channel, w.target().wire(w.value()), w.pipeline(), selector));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        void run(long start, Budget budget, AtomicInteger nextKey, LongAdder answered) {
            try {
                int open = 0;
                for (Conn c : conns) {
                    if (send(c, budget, nextKey)) {
                        open++;
                    }
                }
                while (open > 0) {
                    selector.select();
                    for (SelectionKey key : selector.selectedKeys()) {
                        Conn c = (Conn) key.attachment();
                        if (key.isWritable()) {
                            c.flush();
                        }
                        if (key.isReadable() && c.receive(this, start)) {
                            answered.add(c.sent);
                            if (!send(c, budget, nextKey)) {
                                open--;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                failure = e;
            }
        }

        private boolean send(Conn c, Budget budget, AtomicInteger nextKey) throws IOException {
            int n = budget.take(w.pipeline());
            if (n == 0) {
                c.key.interestOps(0);
                return false;
            }
            c.out.clear();
            for (int i = 0; i < n; i++) {
                int key = w.sequential() ? nextKey.getAndIncrement() % w.keys() : random.nextInt(w.keys());
                boolean get = random.nextInt(w.getWeight() + w.setWeight()) < w.getWeight();
                if (get) {
                    c.wire.writeGet(c.out, key);
                } else {
                    c.wire.writeSet(c.out, key);
                }
                c.gets[i] = get;
            }
            c.out.flip();
            c.sent = n;
            c.received = 0;
            c.sentAt = System.nanoTime();
            c.flush();
            return true;
        }

        void record(boolean get, Wire.Reply reply, long nanos, int tick) throws IOException {
            if (get ? reply == Wire.Reply.OK : reply != Wire.Reply.OK) {
                throw new IOException("a " + (get ? "GET" : "SET") + " was answered with " + reply);
            }
            if (get) {
                gets++;
                misses += reply == Wire.Reply.MISS ? 1 : 0;
            } else {
                sets++;
            }
            latency.recordValue(Math.min(nanos, latency.getHighestTrackableValue()));
            if (tick >= perTick.length) {
                perTick = Arrays.copyOf(perTick, Math.max(tick + 1, perTick.length * 2));
            }
            perTick[tick]++;
            ticks = Math.max(ticks, tick + 1);
        }

        void close() throws IOException {
            for (Conn c : conns) {
                c.channel.close();
            }
            selector.close();
        }
    }

    /** One connection: the batch it has sent and how much of it has been answered. */
    private static final class Conn {
        final SocketChannel channel;
        final Wire wire;
        final SelectionKey key;
        final ByteBuffer out;
        final ByteBuffer in;
        final boolean[] gets;
        int sent;
        int received;
        long sentAt;

        Conn(SocketChannel channel, Wire wire, int pipeline, Selector selector) throws IOException {
            this.channel = channel;
            this.wire = wire;
            this.out = ByteBuffer.allocateDirect(pipeline * wire.maxRequestBytes());
            this.in = ByteBuffer.allocateDirect(Math.max(64 << 10, 2 * wire.maxReplyBytes()));
            this.gets = new boolean[pipeline];
            this.key = channel.register(selector, 0, this);
        }

        /** Writes what is left of the batch; reads meanwhile, so that neither side waits on the other. */
        void flush() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** Reads and checks what replies have come; true when the whole batch is answered. */
        boolean receive(Loop loop, long start) throws IOException {
            if (channel.read(in) < 0) {
                throw new EOFException("the server closed a connection");
            }
            in.flip();
            long now = System.nanoTime();
            int tick = (int) ((now - start) / (Result.TICK_MILLIS * 1_000_000L));
            Wire.Reply reply;
            while (received < sent && (reply = wire.read(in)) != null) {
                loop.record(gets[received], reply, now - sentAt, tick);
                received++;
            }
            if (received == sent && in.hasRemaining()) {
                throw new IOException("the server sent " + in.remaining() + " bytes that answer no request");
            }
            in.compact();
            return received == sent;
        }
    }
}
