package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.resp.RespProtocol;
import kvs.security.Access;
import kvs.security.Password;
import kvs.security.TestCertificates;
import kvs.security.Tls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/** Both listeners over TLS (README.md, "Running it safely"), with certificates the test makes with keytool. */
class TlsTest {

    @TempDir
    static Path certs;

    private static TestCertificates server;
    private static TestCertificates client;
    private static TestCertificates stranger;

    @TempDir
    Path dir;

    private TestServer fixture;

    @BeforeAll
    static void makeCertificates() throws Exception {
        server = TestCertificates.make(certs, "server");
        client = TestCertificates.make(certs, "client");
        stranger = TestCertificates.make(certs, "stranger");
    }

    private void start(KvsServer.Options options) throws Exception {
        fixture = TestServer.kvsAndResp(KvStore.open(dir), new RespProtocol.Settings("test", Map.of()), options);
    }

    private static KvsServer.Options tls(Path clientCa) throws IOException {
        return KvsServer.Options.defaults().withTls(Tls.server(server.cert(), server.key(), clientCa));
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void kvsProtocol_overTls_withAPassword() throws Exception {
        start(tls(null).withAccess(Access.defaults().withPassword(Password.of("pw"))));
        KvsClient c = fixture.client(KvsClient.Options.defaults().withTls(Tls.client(server.cert(), null, null))
                .withPassword("pw"));
        c.set("k", "v".repeat(100_000)); // larger than a TLS record
        assertThat(c.get("k")).hasValue("v".repeat(100_000));
        assertThat(c.stats()).containsEntry("keys", 1L);
    }

    @Test
    @SuppressWarnings("deprecation") // ssl() and sslSocketFactory(): Jedis 8 prefers SslOptions, which wants a trust-store file
    void resp_overTls_withJedis() throws Exception {
        start(tls(null));
        for (RedisProtocol protocol : RedisProtocol.values()) {
            Jedis j = fixture.jedis(1, DefaultJedisClientConfig.builder()
                    .ssl(true).sslSocketFactory(server.trustingContext().getSocketFactory()).protocol(protocol).build());
            assertThat(j.set("k", "v")).isEqualTo("OK");
            assertThat(j.get("k")).isEqualTo("v");
        }
    }

    @Test
    void aPlainClient_onATlsPort_isCutOff_andCounted() throws Exception {
        start(tls(null));
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults()).get("k")).isInstanceOf(KvsException.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().stats().errorsByKind().getOrDefault("tls_handshake", 0L) == 1L);
        KvsClient c = fixture.client(KvsClient.Options.defaults().withTls(Tls.client(server.cert(), null, null)));
        c.ping(); // the server carries on
    }

    @Test
    void aClientThatStopsMidHandshake_isClosedAfterTheReadTimeout() throws Exception {
        start(tls(null).withTimeout(Duration.ofMillis(300)));
        Socket silent = fixture.connect(0);
        silent.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello, and no more
        try {
            assertThat(silent.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        } catch (SocketException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.server().stats().connectedClients() == 0);
    }

    @Test
    void clientCertificates_whenAsked_areRequired_andChecked() throws Exception {
        start(tls(client.cert()));
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults()
                .withTls(Tls.client(server.cert(), null, null))).ping())
                .isInstanceOf(KvsException.class);
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults()
                .withTls(Tls.client(server.cert(), stranger.cert(), stranger.key()))).ping())
                .isInstanceOf(KvsException.class);
        KvsClient c = fixture.client(KvsClient.Options.defaults()
                .withTls(Tls.client(server.cert(), client.cert(), client.key())));
        c.set("k", "v");
        assertThat(c.get("k")).hasValue("v");
    }

    @Test
    void aServerTheClientDoesNotTrust_isRefusedByTheClient() throws Exception {
        start(tls(null));
        assertThatThrownBy(() -> fixture.client(KvsClient.Options.defaults().withTls(Tls.client(stranger.cert(), null, null))))
                .isInstanceOf(KvsException.class).hasMessageContaining("cannot connect");
    }

    @Test
    void badFiles_areRefused_withWhatIsWrong() throws Exception {
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Tls.server(server.cert(), pkcs1, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in PKCS#8 form").hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> Tls.server(server.cert(), stranger.key(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the key of the certificate");
        assertThatThrownBy(() -> Tls.server(server.key(), server.key(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no PEM certificate");
        assertThatThrownBy(() -> Tls.client(null, client.cert(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs its key");
    }
}
