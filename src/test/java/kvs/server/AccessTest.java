package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.resp.RespProtocol;
import kvs.security.Access;
import kvs.security.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Who may use a server, on both listeners (README.md, "Running it safely"): passwords, the requests allowed before
 * authentication, protected mode, the client limit, and the figures stats and INFO report.
 */
class AccessTest {

    private static final String PASSWORD = "s3cret";

    @TempDir
    Path dir;

    private TestServer fixture;

    private void start(KvsServer.Options options) throws Exception {
        RespProtocol.Settings settings = new RespProtocol.Settings("test", Map.of("maxclients", "10000"));
        fixture = TestServer.kvsAndResp(KvStore.open(dir), settings, options);
    }

    private static KvsServer.Options withPassword() {
        return KvsServer.Options.defaults().withAccess(Access.defaults().withPassword(Password.of(PASSWORD)));
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static void sendFrames(Socket s, Request... requests) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Request r : requests) {
            Frames.write(all, Codec.encode(r));
        }
        s.getOutputStream().write(all.toByteArray()); // one write: the server takes them as one batch
        s.getOutputStream().flush();
    }

    private static Response readFrame(Socket s) throws IOException {
        byte[] body = Frames.read(s.getInputStream(), Frames.DEFAULT_MAX_FRAME);
        assertThat(body).as("a response before the connection closed").isNotNull();
        return Codec.decodeResponse(body);
    }

    private static Response.Error unauthorized(String message) {
        return new Response.Error(ErrorCode.UNAUTHORIZED, message);
    }

    private static void sendText(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads exactly as many bytes as {@code expected} has and checks they are those. */
    private static void expect(Socket s, String expected) throws IOException {
        byte[] got = s.getInputStream().readNBytes(expected.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    private static void expectClosed(Socket s) throws IOException {
        try {
            assertThat(s.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
        } catch (java.net.SocketException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset"); // closed with our unread bytes in its buffer
        }
    }

    private static String cmd(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    @Test
    void kvsProtocol_beforeAuth_onlyPingAndAuthAreServed_andAWrongPasswordKeepsItClosed() throws Exception {
        start(withPassword());
        Socket s = fixture.connect(0);
        sendFrames(s, new Request.Ping(), new Request.Get("k"), new Request.Set("k", "v"), new Request.Stats(),
                new Request.Auth("wrong"), new Request.Get("k"));
        assertThat(readFrame(s)).isEqualTo(Response.Ok.INSTANCE);
        Response.Error refused = unauthorized("authentication required: send {\"op\": \"auth\", \"password\": ...} first");
        assertThat(readFrame(s)).isEqualTo(refused);
        assertThat(readFrame(s)).isEqualTo(refused);
        assertThat(readFrame(s)).isEqualTo(refused);
        assertThat(readFrame(s)).isEqualTo(unauthorized("invalid password"));
        assertThat(readFrame(s)).isEqualTo(refused);
        assertThat(fixture.engine().get("k")).isEmpty();
        // The password opens the connection for the requests after it, in the same batch too.
        sendFrames(s, new Request.Auth(PASSWORD), new Request.Set("k", "v"), new Request.Get("k"));
        assertThat(readFrame(s)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(readFrame(s)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(readFrame(s)).isEqualTo(new Response.Value("v"));
        assertThat(fixture.server().stats().authFailures()).isEqualTo(1);
    }

    @Test
    void kvsClient_authenticatesOnConnect_andAWrongPasswordFailsTheConnect() throws Exception {
        start(withPassword());
        KvsClient c = fixture.client(KvsClient.Options.defaults().withPassword(PASSWORD));
        c.set("k", "v");
        assertThat(c.get("k")).hasValue("v");
        c.ping();
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults().withPassword("nope")))
                .isInstanceOf(KvsException.class).hasMessageContaining("unauthorized").hasMessageContaining("invalid password");
        KvsClient anonymous = fixture.client(KvsClient.Options.defaults());
        anonymous.ping(); // ping needs no password
        assertThatThrownBy(() -> anonymous.get("k")).isInstanceOf(KvsException.class).hasMessageContaining("unauthorized");
        assertThat(fixture.server().stats().authFailures()).isEqualTo(1);
    }

    @Test
    void kvsProtocol_authWithoutAPasswordSet_isABadRequest() throws Exception {
        start(KvsServer.Options.defaults());
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults().withPassword("any")))
                .isInstanceOf(KvsException.class).hasMessageContaining("bad_request")
                .hasMessageContaining("without any password configured");
    }

    @Test
    void kvsProtocol_beforeAuth_aFrameAbove64KiB_isRefusedUnread_andTheConnectionCloses() throws Exception {
        start(withPassword());
        Socket huge = fixture.connect(0);
        huge.getOutputStream().write(new byte[] {(byte) 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // 2 GiB declared, nothing sent
        Response reply = readFrame(huge);
        assertThat(reply).isInstanceOf(Response.Error.class);
        assertThat(((Response.Error) reply).is(ErrorCode.TOO_LARGE)).isTrue();
        assertThat(((Response.Error) reply).message()).contains("before authentication");
        expectClosed(huge);

        Socket early = fixture.connect(0);
        early.getOutputStream().write(new byte[] {0, 1, 0, 1}); // 64 KiB + 1 declared, nothing sent
        assertThat(((Response.Error) readFrame(early)).is(ErrorCode.TOO_LARGE)).isTrue();
        expectClosed(early);

        String big = "x".repeat(64 << 10); // its frame is a little more than 64 KiB

        Socket authenticated = fixture.connect(0);
        sendFrames(authenticated, new Request.Auth(PASSWORD), new Request.Set("k", big));
        assertThat(readFrame(authenticated)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(readFrame(authenticated)).isEqualTo(Response.Ok.INSTANCE);
        assertThat(fixture.engine().get("k")).hasValue(big);
    }

    @Test
    void resp_beforeAuth_noauth_thenRedisTextsForEachWayToAuthenticate() throws Exception {
        start(withPassword());
        Socket s = fixture.connect(1);
        sendText(s, cmd("PING") + cmd("GET", "k") + cmd("NOSUCH") + cmd("GET") + cmd("AUTH", "wrong")
                + cmd("AUTH", "bob", PASSWORD) + cmd("HELLO", "3") + cmd("HELLO", "3", "AUTH", "default", "nope")
                + cmd("AUTH", "a", "b", "c") + cmd("AUTH", PASSWORD) + cmd("PING"));
        expect(s, "-NOAUTH Authentication required.\r\n"
                + "-NOAUTH Authentication required.\r\n"
                + "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"
                + "-ERR wrong number of arguments for 'get' command\r\n"
                + "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                + "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                + "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto>"
                + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol"
                + " version at the same time\r\n"
                + "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                + "-ERR syntax error\r\n"
                + "+OK\r\n"
                + "+PONG\r\n");
        Socket hello = fixture.connect(1);
        sendText(hello, cmd("HELLO", "2", "AUTH", "default", PASSWORD) + cmd("SET", "k", "v") + cmd("AUTH", "default", PASSWORD));
        assertThat(new String(hello.getInputStream().readNBytes(15), StandardCharsets.UTF_8)).isEqualTo("*14\r\n$6\r\nserver");
        StringBuilder rest = new StringBuilder();
        InputStream in = hello.getInputStream();
        while (!rest.toString().endsWith("+OK\r\n+OK\r\n")) {
            rest.append((char) in.read());
        }
        assertThat(fixture.engine().get("k")).hasValue("v");
        assertThat(fixture.server().stats().authFailures()).isEqualTo(3);
    }

    @Test
    void resp_withoutAPasswordSet_authAloneIsAnError_butTheDefaultUserTakesAnyPassword() throws Exception {
        start(KvsServer.Options.defaults());
        Socket s = fixture.connect(1);
        sendText(s, cmd("AUTH", "x") + cmd("AUTH", "default", "x") + cmd("AUTH", "bob", "x") + cmd("PING"));
        expect(s, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your"
                + " configuration is correct?\r\n+OK\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+PONG\r\n");
    }

    @Test
    void resp_beforeAuth_moreThan10ArgumentsOrABulkAbove16KiB_isAProtocolError() throws Exception {
        start(withPassword());
        Socket args = fixture.connect(1);
        sendText(args, "*11\r\n");
        expect(args, "-ERR Protocol error: unauthenticated multibulk length\r\n");
        expectClosed(args);
        Socket bulk = fixture.connect(1);
        sendText(bulk, "*2\r\n$3\r\nGET\r\n$16385\r\n");
        expect(bulk, "-ERR Protocol error: unauthenticated bulk length\r\n");
        expectClosed(bulk);
        Socket huge = fixture.connect(1);
        sendText(huge, "*1\r\n$2147483647\r\n"); // 2 GiB declared: refused before anything is allocated
        expect(huge, "-ERR Protocol error: invalid bulk length\r\n");
        expectClosed(huge);
        // Once authenticated, the limits are the server's own.
        Socket s = fixture.connect(1);
        String value = "v".repeat(20_000);
        sendText(s, cmd("AUTH", PASSWORD) + cmd("SET", "k", value) + cmd("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"));
        expect(s, "+OK\r\n+OK\r\n+OK\r\n");
        assertThat(fixture.engine().get("k")).hasValue(value);
    }

    @Test
    void jedis_authenticatesWithAuthAndWithHello() throws Exception {
        start(withPassword());
        for (RedisProtocol protocol : RedisProtocol.values()) {
            Jedis j = fixture.jedis(1, DefaultJedisClientConfig.builder().password(PASSWORD).protocol(protocol).build());
            assertThat(j.set("k-" + protocol, "v")).isEqualTo("OK");
            assertThat(j.get("k-" + protocol)).isEqualTo("v");
        }
        Jedis anonymous = fixture.jedis(1, DefaultJedisClientConfig.builder().build());
        assertThatThrownBy(anonymous::ping).isInstanceOf(JedisDataException.class).hasMessage("NOAUTH Authentication required.");
        assertThatThrownBy(() -> anonymous.auth("wrong")).isInstanceOf(JedisDataException.class)
                .hasMessageStartingWith("WRONGPASS");
        assertThat(anonymous.auth(PASSWORD)).isEqualTo("OK");
        assertThat(anonymous.get("k-RESP2")).isEqualTo("v");
    }

    @Test
    void protectedMode_withoutAPassword_turnsRemoteClientsAway_onBothListeners() throws Exception {
        start(KvsServer.Options.defaults().withAccess(Access.defaults().withLocalPeers(peer -> false)));
        KvsClient c = fixture.client(KvsClient.Options.defaults());
        assertThatThrownBy(() -> c.get("k")).isInstanceOf(KvsException.class).hasMessageContaining("unauthorized")
                .hasMessageContaining("protected mode").hasMessageContaining("--password-file");
        Socket resp = fixture.connect(1);
        sendText(resp, cmd("PING"));
        String line = new String(resp.getInputStream().readNBytes(200), StandardCharsets.UTF_8);
        assertThat(line).startsWith("-DENIED kvs-server is running in protected mode");
        resp.getInputStream().skip(Long.MAX_VALUE); // the rest of the line, then the end
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.server().stats().rejectedConnections() == 2);
        assertThat(fixture.server().stats().connectedClients()).isZero();
    }

    @Test
    void protectedMode_admitsRemoteClients_withAPassword_orWhenTurnedOff() throws Exception {
        start(KvsServer.Options.defaults().withAccess(Access.defaults().withLocalPeers(peer -> false).withProtectedMode(false)));
        fixture.client(KvsClient.Options.defaults()).set("k", "v");
        fixture.close();
        start(KvsServer.Options.defaults().withAccess(Access.defaults().withLocalPeers(peer -> false)
                .withPassword(Password.of(PASSWORD))));
        assertThat(fixture.client(KvsClient.Options.defaults().withPassword(PASSWORD)).get("k")).hasValue("v");
    }

    @Test
    void maxClients_turnsOneMoreAway_andTheOthersCarryOn() throws Exception {
        start(KvsServer.Options.defaults().withMaxClients(2));
        KvsClient first = fixture.client(KvsClient.Options.defaults());
        first.ping();
        Socket second = fixture.connect(1);
        sendText(second, cmd("PING"));
        expect(second, "+PONG\r\n");
        Socket third = fixture.connect(1);
        expect(third, "-ERR max number of clients reached\r\n");
        expectClosed(third);
        KvsClient fourth = fixture.client(KvsClient.Options.defaults());
        assertThatThrownBy(fourth::ping).isInstanceOf(KvsException.class).hasMessageContaining("unavailable")
                .hasMessageContaining("max number of clients reached");
        first.set("k", "v");
        sendText(second, cmd("GET", "k"));
        expect(second, "$1\r\nv\r\n");
        assertThat(fixture.server().stats().rejectedConnections()).isEqualTo(2);
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.server().stats().connectedClients() == 1);
        fixture.client(KvsClient.Options.defaults()).ping();
    }

    @Test
    void stats_andInfo_reportFiguresThatChangeAsRequestsAreMade() throws Exception {
        start(KvsServer.Options.defaults());
        KvsClient c = fixture.client(KvsClient.Options.defaults());
        Map<String, Object> before = c.stats();
        assertThat(before).containsEntry("engine", "kvs").containsEntry("durability", "everysec")
                .containsEntry("keys", 0L).containsEntry("connections_current", 1L).containsKey("version")
                .containsKey("uptime_seconds").containsKey("fsyncs").containsKey("live_bytes").containsKey("auth_failures");
        c.set("a", "1");
        c.set("b", "2");
        assertThatThrownBy(() -> c.remove("absent")).isInstanceOf(kvs.KeyNotFoundException.class);
        Map<String, Object> after = c.stats();
        assertThat(after).containsEntry("keys", 2L).containsEntry("requests_set", 2L).containsEntry("requests_rm", 1L)
                .containsEntry("requests_stats", 1L).containsEntry("errors_key_not_found", 1L);
        assertThat((Long) after.get("writes")).isGreaterThanOrEqualTo(2L);
        assertThat((Long) after.get("total_bytes")).isGreaterThan((Long) before.get("total_bytes"));
        assertThat((Long) after.get("requests_total")).isEqualTo((Long) before.get("requests_total") + 4);

        Socket s = fixture.connect(1);
        sendText(s, cmd("SET", "c", "3") + cmd("INCR", "a") + cmd("INCR", "c") + cmd("INFO", "everything"));
        expect(s, "+OK\r\n:2\r\n:4\r\n");
        String info = readBulk(s);
        assertThat(info).contains("connected_clients:2\r\n", "maxclients:10000\r\n", "cmdstat_incr:calls=2,",
                "cmdstat_set:calls=3," /* both protocols' sets */, "db0:keys=3,", "kvs_engine:kvs\r\n", "rejected_connections:0\r\n",
                "errorstat_key_not_found:count=1\r\n");
    }

    /** A RESP2 bulk string reply. */
    private static String readBulk(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        StringBuilder header = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            header.append((char) b);
        }
        assertThat(header.charAt(0)).isEqualTo('$');
        byte[] body = new byte[Integer.parseInt(header.substring(1).trim())];
        in.readFully(body);
        in.readNBytes(2);
        return new String(body, StandardCharsets.UTF_8);
    }
}
