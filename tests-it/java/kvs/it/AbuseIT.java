package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import kvs.check.Reliability;
import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No client can take the server down: malformed frames from many connections at once, frames
 * declaring 2^31 bytes against a 64 MiB heap. Each test runs a real kvs-server process and a
 * well-behaved client beside the abuse ({@link GoodClient}); the server must stay up, answer
 * the good client correctly and promptly (every request within a second), and give back every
 * connection and file descriptor. Idle, slow and never-reading clients are {@link SlowClientsIT}'s.
 * <p>
 * Frames per storm connection: 20 times {@code kvs.reliability.scale} times {@code kvs.stress}.
 * Seed: {@code -Dkvs.seed=N}; a storm failure names it, and each failing input, under target/reliability/.
 */
class AbuseIT {

    /** How long a bad frame may take to be answered, or its connection closed. */
    static final int ANSWER_MS = 1000;
    /** The server's read timeout in these tests: a frame cut short and left hanging is closed after it. */
    static final String TIMEOUT_SECONDS = "0.5";
    private static final int CONNECTIONS = 64;
    private static final int MAX_FRAME = Frames.DEFAULT_MAX_FRAME;

    @TempDir
    Path data;
    @TempDir
    Path logs;
    /** Certificates and password files of the secured runs. */
    @TempDir
    Path keys;

    /** The kinds of bad input the storm sends, each with what the server must do about it. */
    enum Kind {
        RANDOM_BODY, EMPTY_BODY, TOO_LARGE, CUT_THEN_EOF, CUT_THEN_SILENCE, HUGE_COUNT, DEEP_NESTING, BAD_UTF8,
        TRAILING_BYTES, GARBAGE_AFTER_VALID
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void malformedStorm_isAnsweredOrClosedWithinASecond_andLeavesNothingBehind(Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("", transport.in(keys), data, logs, "--timeout", TIMEOUT_SECONDS)) {
            storm(server, "abuse-storm-" + transport, Kind.values(), (kind, random) -> send(server, kind, random));
        }
    }

    /** Sends one bad input of a kind on a new connection and checks the server's answer; returns what happened. */
    interface Sender<K> {
        String send(K kind, Random random) throws IOException;
    }

    /**
     * The storm: {@value #CONNECTIONS} threads each send 20 (100 in the reliability profile, in
     * the clear) seeded bad inputs of random kinds through {@code sender} while a good client works beside
     * them; every outcome is counted, and the server must be {@link #assertUnharmed unharmed}.
     */
    static <K> void storm(ServerProcess server, String name, K[] kinds, Sender<K> sender) throws Exception {
        long baseline = settledOpenSockets(server);
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        GoodClient good = new GoodClient(server);
        // Over TLS the same storm runs at every build's volume: what the reliability profile's larger
        // one adds is the inputs' variety, which the storm in the clear covers.
        int inputs = server.transport().secured() ? 20 : Reliability.rounds(20);
        List<Thread> storm = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            Random random = new Random(Reliability.SEED + c);
            storm.add(Thread.ofPlatform().name(name + "-" + c).start(() -> {
                for (int f = 0; f < inputs; f++) {
                    K kind = kinds[random.nextInt(kinds.length)];
                    try {
                        String outcome = sender.send(kind, random);
                        outcomes.computeIfAbsent(kind + " -> " + outcome, k -> new AtomicLong()).incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(Thread.currentThread().getName() + ", input " + f + " (" + kind + "): " + t);
                        return;
                    }
                }
            }));
        }
        for (Thread t : storm) {
            t.join();
        }
        good.close();
        System.out.println(name + " (" + Reliability.seed() + "): " + new java.util.TreeMap<>(outcomes)
                + "; good client: " + good.summary());
        if (!failures.isEmpty()) {
            Path file = Reliability.historyFile(name);
            java.nio.file.Files.write(file, failures);
            throw new AssertionError(Reliability.seed() + ": " + failures.size() + " storm connections failed, the first: "
                    + failures.get(0) + "; all in " + file);
        }
        assertUnharmed(server, good, baseline);
    }

    /** Sends one bad input on a new connection and checks the server's answer; returns what happened. */
    private static String send(ServerProcess server, Kind kind, Random random) throws IOException {
        try (Socket s = server.connect(Wire.KVS, ANSWER_MS)) {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            switch (kind) {
                case RANDOM_BODY -> frame(out, bytes(random, 1 + random.nextInt(64)));
                case EMPTY_BODY -> frame(out, new byte[0]);
                case TOO_LARGE -> out.write(ByteBuffer.allocate(4)
                        .putInt((int) (MAX_FRAME + 1 + (random.nextLong() & 0xFFFF_FFFFL) % (0xFFFF_FFFFL - MAX_FRAME)))
                        .array());
                case CUT_THEN_EOF, CUT_THEN_SILENCE -> {
                    out.write(ByteBuffer.allocate(4).putInt(100).array());
                    out.write(bytes(random, random.nextInt(100)));
                    if (kind == Kind.CUT_THEN_EOF) {
                        s.shutdownOutput();
                    } else {
                        s.setSoTimeout((int) (Double.parseDouble(TIMEOUT_SECONDS) * 1000) + ANSWER_MS);
                    }
                    return expectClosed(in, kind);
                }
                case HUGE_COUNT -> frame(out, new byte[] {(byte) (0x9B + 0x20 * random.nextInt(3)), -1, -1, -1, -1, -1, -1, -1, -1});
                case DEEP_NESTING -> {
                    byte[] body = new byte[18 + random.nextInt(5000)]; // 17 or more levels: one too many
                    java.util.Arrays.fill(body, (byte) 0x81); // array of one, nested
                    body[body.length - 1] = 0;
                    frame(out, body);
                }
                case BAD_UTF8 -> frame(out, cbor("get", new byte[] {'k', (byte) 0xC3, 0x28}));
                case TRAILING_BYTES -> {
                    byte[] valid = Codec.encode(new Request.Get("k"));
                    byte[] body = java.util.Arrays.copyOf(valid, valid.length + 1 + random.nextInt(8));
                    frame(out, body);
                }
                case GARBAGE_AFTER_VALID -> {
                    frame(out, Codec.encode(new Request.Get("k")));
                    out.write(bytes(random, 4 + random.nextInt(20)));
                    s.shutdownOutput();
                    assertThat(read(in)).isInstanceOf(Response.Value.class);
                    while (true) { // then error answers, if the garbage made frames, until the server closes
                        Response r = readOrNull(in);
                        if (r == null) {
                            return "answered, then closed";
                        }
                        assertThat(r).isInstanceOf(Response.Error.class);
                    }
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            Response r = read(in);
            assertThat(r).as("%s: the answer", kind).isInstanceOf(Response.Error.class);
            String code = ((Response.Error) r).code();
            if (kind == Kind.TOO_LARGE) {
                assertThat(code).isEqualTo("too_large");
                return expectClosed(in, kind);
            }
            if (kind == Kind.RANDOM_BODY) {
                assertThat(code).as("%s: the code", kind).isIn("malformed", "bad_request");
            } else {
                assertThat(code).as("%s: the code", kind).isEqualTo("malformed");
            }
            return code;
        }
    }

    /** The server closes the connection within the socket's timeout (a timeout fails the test). */
    private static String expectClosed(InputStream in, Kind kind) throws IOException {
        try {
            while (in.read() >= 0) {
                // bytes before the close (an answer) are allowed
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(kind + ": the server neither answered nor closed in time", e);
        } catch (SocketException e) {
            return "reset";
        }
        return "closed";
    }

    private static Response read(DataInputStream in) throws IOException {
        Response r = readOrNull(in);
        if (r == null) {
            throw new EOFException("the server closed the connection instead of answering");
        }
        return r;
    }

    private static Response readOrNull(DataInputStream in) throws IOException {
        try {
            byte[] body = Frames.read(in, MAX_FRAME);
            return body == null ? null : Codec.decodeResponse(body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + ANSWER_MS + " ms", e);
        } catch (SocketException e) {
            return null; // reset: closed
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("wiresAndTransports")
    void thousandConnectionsDeclaring2GiBFrames_withA64MiBHeap_areRefused_noOutOfMemory(Wire wire, Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("-Xmx64m", transport.in(keys), data, logs, "--timeout", TIMEOUT_SECONDS,
                "--resp-addr", "127.0.0.1:0")) {
            long baseline = settledOpenSockets(server);
            GoodClient good = new GoodClient(server);
            List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
            try {
                // from eight threads: a TLS handshake and an auth each take a few round trips
                try (var connecting = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) {
                        long length = i % 2 == 0 ? 1L << 31 : Integer.MAX_VALUE;
                        done.add(connecting.submit(() -> {
                            Socket s = server.connect(wire, 10_000);
                            sockets.add(s);
                            s.getOutputStream().write(wire.startOfARequest(length));
                            return null;
                        }));
                    }
                    for (var f : done) {
                        f.get();
                    }
                }
                for (Socket s : sockets) {
                    wire.expectRefusedAndClosed(s);
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            good.close();
            System.out.println("AbuseIT 1000 frames of 2 GiB (" + wire + ", " + transport + ") against -Xmx64m: good client: " + good.summary());
            assertUnharmed(server, good, baseline);
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("wiresAndTransports")
    void manyConnectionsSendingMaximumFramesSlowly_withA64MiBHeap_noOutOfMemory(Wire wire, Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("-Xmx64m", transport.in(keys), data, logs, "--timeout", "5",
                "--resp-addr", "127.0.0.1:0")) {
            long baseline = settledOpenSockets(server);
            GoodClient good = new GoodClient(server);
            List<Socket> sockets = new ArrayList<>();
            try {
                byte[] part = new byte[1 << 20];
                java.util.Arrays.fill(part, (byte) 'v');
                for (int i = 0; i < 100; i++) { // each declares 16 MiB and sends 1 MiB of it: 100 MiB in all
                    Socket s = server.connect(wire, 10_000);
                    sockets.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write(wire.startOfARequest(MAX_FRAME));
                    out.write(part);
                }
                await().atMost(Duration.ofSeconds(3)).until(() -> good.requests() > 1000);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            good.close();
            System.out.println("AbuseIT 100 connections (" + wire + ", " + transport + ") sending 1 MiB of 16 MiB frames against -Xmx64m: "
                    + "good client: " + good.summary());
            assertUnharmed(server, good, baseline);
        }
    }

    /** Each listener, in the clear and over TLS with a password. */
    static Stream<Arguments> wiresAndTransports() {
        return Stream.of(Wire.values()).flatMap(w -> Stream.of(Transport.Kind.values()).map(t -> Arguments.of(w, t)));
    }

    /**
     * After the abuse: the server is alive and never ran out of memory, the good client beside it
     * got every answer right and none later than {@link #ANSWER_MS}, and every connection the
     * abuse opened is closed (the server's open sockets are back to {@code baseline}).
     */
    static void assertUnharmed(ServerProcess server, GoodClient good, long baseline) throws IOException {
        assertThat(server.process.isAlive()).as("server alive; its log:%n%s", server.log()).isTrue();
        assertThat(server.log()).doesNotContain("OutOfMemoryError");
        assertThat(good.failures()).as("the good client's errors").isEmpty();
        assertThat(good.requests()).as("the good client's requests").isPositive();
        assertThat(good.maxMillis()).as("the good client's slowest request (ms): %s", good.summary())
                .isLessThan(ANSWER_MS);
        awaitOpenSockets(server, baseline);
    }

    /** The server's open sockets once a first client has come and gone. */
    static long settledOpenSockets(ServerProcess server) throws Exception {
        try (GoodClient warmUp = new GoodClient(server)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> warmUp.requests() > 100);
        }
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            long now = server.openSockets();
            boolean settled = now == last[0];
            last[0] = now;
            return settled;
        });
        return last[0];
    }

    /** Every connection closed: the server's open sockets are back to {@code baseline}. */
    static void awaitOpenSockets(ServerProcess server, long baseline) {
        await("the server's open sockets back to " + baseline).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(server::openSockets, n -> n <= baseline);
    }

    private static void frame(OutputStream out, byte[] body) throws IOException {
        Frames.write(out, body);
        out.flush();
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** {"op": op, "key": key} with the key's bytes as given, valid UTF-8 or not. */
    private static byte[] cbor(String op, byte[] key) {
        ByteBuffer b = ByteBuffer.allocate(64 + key.length);
        b.put((byte) 0xA2);
        b.put((byte) (0x60 + 2)).put("op".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) (0x60 + op.length())).put(op.getBytes(StandardCharsets.US_ASCII));
        b.put((byte) (0x60 + 3)).put("key".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) (0x60 + key.length)).put(key);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
