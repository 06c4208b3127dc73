package kvs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.Access;
import kvs.security.Password;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kvs protocol's mget (docs/PROTOCOL.md, "Reading keys together") over a real server on loopback port 0. */
class MgetRequestsTest {

    @TempDir
    Path dir;

    private TestServer server;

    private void start(KvsServer.Options options) throws Exception {
        server = TestServer.start(KvStore.open(dir), new VirtualThreadPool(2), List.of(KvsProtocol.INSTANCE), options);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    /** Sends {@code bodies} as frames in one write. */
    private static void send(Socket s, byte[]... bodies) throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (byte[] body : bodies) {
            Frames.write(frames, body);
        }
        OutputStream out = s.getOutputStream();
        out.write(frames.toByteArray());
        out.flush();
    }

    private static byte[] receiveBody(InputStream in) throws IOException {
        byte[] body = Frames.read(in, Frames.DEFAULT_MAX_FRAME);
        assertThat(body).as("a reply before the connection closed").isNotNull();
        return body;
    }

    private static Response receive(InputStream in) throws IOException {
        return Codec.decodeResponse(receiveBody(in));
    }

    private static void assertError(Response r, ErrorCode code, String message) {
        assertThat(r).isInstanceOfSatisfying(Response.Error.class, e -> {
            assertThat(e.code()).as("code of %s", e).isEqualTo(code.wireName());
            assertThat(e.message()).contains(message);
        });
    }

    /** Hand-built frames in, the exact reply bytes out: an absent key is null, an empty value empty text. */
    @Test
    void anMget_isAnsweredWithTheDocumentedBytes() throws Exception {
        start(KvsServer.Options.defaults());
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        send(s, hex("a3 626f70 63736574 636b6579 6161 6576616c7565 6131"),    // set "a" "1"
                hex("a3 626f70 63736574 636b6579 6163 6576616c7565 60"),      // set "c" ""
                hex("a2 626f70 646d676574 646b657973 83 6161 6162 6163"));    // mget ["a", "b", "c"]
        assertThat(receiveBody(in)).isEqualTo(hex("a1 626f6b f5"));
        assertThat(receiveBody(in)).isEqualTo(hex("a1 626f6b f5"));
        assertThat(receiveBody(in)).isEqualTo(hex("a2 626f6b f5 6676616c756573 83 6131 f6 60"));
    }

    @Test
    void anMget_seesEveryWriteSentBeforeIt_onItsConnection_andRepeatsAKeyAsked_twice() throws Exception {
        start(KvsServer.Options.defaults());
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        Bytes binary = Bytes.wrap(new byte[] {(byte) 0xFF, 0});
        send(s, Codec.encode(new Request.Set(b("a"), binary, null)), Codec.encode(new Request.GetAll(List.of(b("a"), b("b"), b("a")))),
                Codec.encode(new Request.Set("b", "2")), Codec.encode(new Request.Remove("a")),
                Codec.encode(new Request.GetAll(List.of(b("a"), b("b")))));
        assertThat(receive(in)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(receive(in)).isEqualTo(new Response.Values(Arrays.asList(binary, null, binary)));
        assertThat(receive(in)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(receive(in)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(receive(in)).isEqualTo(new Response.Values(Arrays.asList(null, b("2"))));
    }

    @Test
    void badMgets_areBadRequests_andTheConnectionGoesOn() throws Exception {
        start(KvsServer.Options.defaults());
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        byte[] tooMany = mgetOfEmptyKeys(Request.GetAll.MAX_KEYS + 1);
        send(s, hex("a1 626f70 646d676574"), hex("a2 626f70 646d676574 646b657973 80"),
                hex("a2 626f70 646d676574 646b657973 6161"), hex("a2 626f70 646d676574 646b657973 82 6161 01"), tooMany,
                Codec.encode(new Request.Ping()));
        assertError(receive(in), ErrorCode.BAD_REQUEST, "missing field 'keys'");
        assertError(receive(in), ErrorCode.BAD_REQUEST, "'keys' must hold at least one key");
        assertError(receive(in), ErrorCode.BAD_REQUEST, "'keys' must be an array of keys (text or bytes), not text");
        assertError(receive(in), ErrorCode.BAD_REQUEST, "'keys' item 1 must be text or bytes, not an integer");
        assertError(receive(in), ErrorCode.BAD_REQUEST, "'keys' holds more than 1048576 items");
        assertThat(receive(in)).isEqualTo(Response.Ok.INSTANCE);
    }

    @Test
    void anMgetOfTheMostKeys_isAnswered() throws Exception {
        start(KvsServer.Options.defaults());
        server.engine().set(b(""), b("empty key"));
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        send(s, mgetOfEmptyKeys(Request.GetAll.MAX_KEYS));
        assertThat(receive(in)).isEqualTo(new Response.Values(Collections.nCopies(Request.GetAll.MAX_KEYS, b("empty key"))));
    }

    /** {@code {"op": "mget", "keys": ["", "", ...]}} with {@code n} empty keys. */
    private static byte[] mgetOfEmptyKeys(int n) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(n + 20);
        body.writeBytes(hex("a2 626f70 646d676574 646b657973 9a"));
        body.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        for (int i = 0; i < n; i++) {
            body.write(0x60);
        }
        return body.toByteArray();
    }

    /** A reply above the maximum frame is too_large and the connection goes on; a request above it ends the connection. */
    @Test
    void theMaximumFrame_boundsAnMgetsReply_andItsRequest() throws Exception {
        start(KvsServer.Options.defaults().withMaxFrame(1024));
        server.engine().set(b("big"), b("v".repeat(600)));
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        send(s, Codec.encode(new Request.GetAll(List.of(b("big"), b("big")))), Codec.encode(new Request.GetAll(List.of(b("big")))));
        assertError(receive(in), ErrorCode.TOO_LARGE, "above the maximum frame of 1024 bytes");
        assertThat(receive(in)).isEqualTo(new Response.Values(List.of(b("v".repeat(600)))));

        List<Bytes> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            keys.add(b("k" + i));
        }
        send(s, Codec.encode(new Request.GetAll(keys)));
        assertError(receive(in), ErrorCode.TOO_LARGE, "above the maximum of 1024");
        assertThat(in.read()).as("the connection closed").isEqualTo(-1);
    }

    @Test
    void anMgetBeforeAuthentication_isUnauthorized() throws Exception {
        start(KvsServer.Options.defaults().withAccess(Access.defaults().withPassword(Password.of("pw"))));
        server.engine().set(b("a"), b("1"));
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        send(s, Codec.encode(new Request.GetAll(List.of(b("a")))), Codec.encode(new Request.Auth("pw")),
                Codec.encode(new Request.GetAll(List.of(b("a")))));
        assertError(receive(in), ErrorCode.UNAUTHORIZED, "authentication required");
        assertThat(receive(in)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(receive(in)).isEqualTo(new Response.Values(List.of(b("1"))));
    }

    @Test
    void mgets_areCountedInTheStats_andTheirErrorsByCode() throws Exception {
        start(KvsServer.Options.defaults());
        Socket s = server.connect(0);
        InputStream in = new BufferedInputStream(s.getInputStream());
        send(s, Codec.encode(new Request.GetAll(List.of(b("a")))), Codec.encode(new Request.GetAll(List.of(b("a"), b("b")))),
                hex("a2 626f70 646d676574 646b657973 80"));
        for (int i = 0; i < 3; i++) {
            receive(in);
        }
        send(s, Codec.encode(new Request.Stats())); // after the replies: a batch's requests are counted once answered
        Map<String, Object> stats = ((Response.Stats) receive(in)).stats();
        assertThat(stats).as("a request that does not decode has no op: counted in the total and by its error")
                .containsEntry("requests_mget", 2L).containsEntry("requests_total", 3L).containsEntry("errors_bad_request", 1L)
                .doesNotContainKey("requests_get");
    }
}
