package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.pool.NaiveThreadPool;
import kvs.pool.SharedQueueThreadPool;
import kvs.pool.ThreadPool;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.protocol.server.KvsProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KvsServer and KvsClient in one process, on loopback port 0. */
class KvsServerTest {

    @TempDir
    Path dir;

    private TestServer fixture;

    static Stream<Arguments> pools() {
        return Stream.of(
                Arguments.of("naive", (IntFunction<ThreadPool>) NaiveThreadPool::new),
                Arguments.of("shared-queue", (IntFunction<ThreadPool>) SharedQueueThreadPool::new),
                Arguments.of("virtual", (IntFunction<ThreadPool>) VirtualThreadPool::new));
    }

    private void start(ThreadPool pool, KvsServer.Options options) throws Exception {
        fixture = TestServer.start(KvStore.open(dir), pool, List.of(KvsProtocol.INSTANCE), options);
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static void send(OutputStream out, byte[] body) throws IOException {
        Frames.write(out, body);
        out.flush();
    }

    private static Response receive(InputStream in) throws IOException {
        byte[] body = Frames.read(in, Frames.DEFAULT_MAX_FRAME);
        assertThat(body).as("a response before the connection closed").isNotNull();
        return Codec.decodeResponse(body);
    }

    private static String code(Response r) {
        assertThat(r).isInstanceOf(Response.Error.class);
        return ((Response.Error) r).code();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void clientCalls_behaveLikeTheEngine(String name, IntFunction<ThreadPool> pool) throws Exception {
        start(pool.apply(4), KvsServer.Options.defaults());
        try (KvsClient client = KvsClient.connect(fixture.server().address())) {
            client.set("k", "v1");
            client.set("k", "v2");
            client.set("", "");
            client.set("ключ 🔑", "значение ✓");
            assertThat(client.get("k")).hasValue("v2");
            assertThat(client.get("")).hasValue("");
            assertThat(client.get("ключ 🔑")).hasValue("значение ✓");
            assertThat(client.get("absent")).isEmpty();
            client.remove("k");
            assertThat(client.get("k")).isEmpty();
            assertThatThrownBy(() -> client.remove("k")).isInstanceOf(KeyNotFoundException.class).hasMessage("Key not found");
        }
        assertThat(fixture.engine().get("ключ 🔑")).hasValue("значение ✓");
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults());
        Socket s = fixture.connect(0);
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 500; i++) {
            Frames.write(out, Codec.encode(new Request.Set("k" + i, "v" + i)));
            Frames.write(out, Codec.encode(new Request.Get("k" + i)));
        }
        out.flush();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 500; i++) {
            assertThat(receive(in)).isEqualTo(new Response.Ok());
            assertThat(receive(in)).isEqualTo(new Response.Value("v" + i));
        }
    }

    @Test
    void pipelinedRequestsBeforeAFrameCutShort_areAnswered_beforeTheConnectionCloses() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults());
        Socket s = fixture.connect(0);
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 10; i++) {
            Frames.write(out, Codec.encode(new Request.Set("k" + i, "v" + i)));
        }
        out.write(new byte[] {0, 0, 0, 9, 1, 2}); // a frame of 9 bytes, cut after 2: AbuseIT found these answers lost
        out.flush();
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 10; i++) {
            assertThat(receive(in)).isEqualTo(new Response.Ok());
        }
        assertThat(in.read()).as("closed after the cut frame").isEqualTo(-1);
    }

    @Test
    void badAndMalformedRequests_areAnswered_andTheConnectionGoesOn() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults());
        Socket s = fixture.connect(0);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        send(out, HexFormat.of().parseHex("a1626f706466726f62")); // {"op": "frob"}
        assertThat(code(receive(in))).isEqualTo(ErrorCode.BAD_REQUEST.wireName());
        send(out, HexFormat.of().parseHex("a2626f7063676574636b657961")); // cut short
        assertThat(code(receive(in))).isEqualTo(ErrorCode.MALFORMED.wireName());
        send(out, new byte[0]);
        assertThat(code(receive(in))).isEqualTo(ErrorCode.MALFORMED.wireName());
        send(out, Codec.encode(new Request.Remove("absent")));
        assertThat(code(receive(in))).isEqualTo(ErrorCode.KEY_NOT_FOUND.wireName());
        send(out, Codec.encode(new Request.Set("k", "v")));
        assertThat(receive(in)).isEqualTo(new Response.Ok());
    }

    @Test
    void oversizedFrame_isTooLarge_andClosesOnlyThatConnection() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults().withMaxFrame(1000));
        Socket s = fixture.connect(0);
        s.getOutputStream().write(HexFormat.of().parseHex("7fffffff"));
        s.getOutputStream().flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertThat(code(receive(in))).isEqualTo(ErrorCode.TOO_LARGE.wireName());
        assertThat(in.read()).as("closed after too_large").isEqualTo(-1);
        try (KvsClient client = KvsClient.connect(fixture.server().address())) {
            client.set("still", "serving");
            assertThatThrownBy(() -> client.set("big", "x".repeat(2000)))
                    .isInstanceOf(KvsException.class).hasMessageContaining("above the maximum");
        }
    }

    @Test
    void aResponseAboveTheMaximum_isTooLarge_andTheValueStaysStored() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults().withMaxFrame(1000));
        fixture.engine().set("k", "x".repeat(995)); // stored earlier, say under a larger maximum
        Socket s = fixture.connect(0);
        send(s.getOutputStream(), Codec.encode(new Request.Get("k"))); // the response would be 1009 bytes
        assertThat(code(receive(s.getInputStream()))).isEqualTo(ErrorCode.TOO_LARGE.wireName());
        send(s.getOutputStream(), Codec.encode(new Request.Get("absent"))); // the connection goes on
        assertThat(receive(s.getInputStream())).isEqualTo(Response.Value.ABSENT);
        assertThat(fixture.engine().get("k")).hasValue("x".repeat(995));
    }

    @Test
    void aFrameThatStopsArriving_isCutOffByTheReadTimeout_whileIdleConnectionsStay() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults().withTimeout(Duration.ofMillis(500)));
        Socket idle = fixture.connect(0);
        Socket stalled = fixture.connect(0);
        stalled.getOutputStream().write(new byte[] {0, 0, 0, 10, (byte) 0xa1}); // 1 byte of 10, then nothing
        stalled.getOutputStream().flush();
        stalled.setSoTimeout(30_000);
        assertThat(stalled.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        // the idle connection, silent for longer than the timeout, still works
        send(idle.getOutputStream(), Codec.encode(new Request.Get("k")));
        assertThat(receive(idle.getInputStream())).isEqualTo(Response.Value.ABSENT);
    }

    @Test
    void manyIdleConnections_doNotHoldUpAnotherClient() throws Exception {
        start(new VirtualThreadPool(1), KvsServer.Options.defaults());
        for (int i = 0; i < 500; i++) {
            fixture.connect(0);
        }
        try (KvsClient client = KvsClient.connect(fixture.server().address())) {
            client.set("k", "v");
            assertThat(client.get("k")).hasValue("v");
        }
    }

    @Test
    void close_answersRequestsAlreadySent_thenClosesConnections() throws Exception {
        start(new SharedQueueThreadPool(2), KvsServer.Options.defaults());
        Socket s = fixture.connect(0);
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 100; i++) {
            Frames.write(out, Codec.encode(new Request.Set("k" + i, "v")));
        }
        out.flush();
        InputStream in = s.getInputStream();
        assertThat(receive(in)).isEqualTo(new Response.Ok()); // the server is reading them
        fixture.server().close();
        int answered = 1;
        while (Frames.read(in, Frames.DEFAULT_MAX_FRAME) != null) {
            answered++;
        }
        assertThat(answered).isEqualTo(100);
        assertThatThrownBy(() -> KvsClient.connect(fixture.server().address())).isInstanceOf(KvsException.class);
        assertThat(fixture.engine().get("k99")).hasValue("v");
    }

    @Test
    void client_reportsAnUnreachableServer_andAServerThatGoesAway() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        assertThatThrownBy(() -> KvsClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                .isInstanceOf(KvsException.class).hasMessageContaining("cannot connect to 127.0.0.1:" + port);
        start(new VirtualThreadPool(1), KvsServer.Options.defaults());
        KvsClient client = fixture.client(KvsClient.Options.defaults());
        client.set("k", "v");
        fixture.server().close();
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(KvsException.class);
    }
}
