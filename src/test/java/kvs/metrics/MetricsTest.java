package kvs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.server.KvsProtocol;
import kvs.security.Access;
import kvs.security.Password;
import kvs.server.KvsServer;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics over real HTTP: figures that change as requests are made, and the server's access rules. */
class MetricsTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;

    private Store engine;
    private KvsServer server;
    private Metrics metrics;
    private final HttpClient http = HttpClient.newHttpClient();

    private void start(Access access) throws Exception {
        engine = KvStore.open(dir);
        metrics = new Metrics();
        KvsServer.Options options = KvsServer.Options.defaults().withAccess(access).withObserver(metrics);
        server = KvsServer.start(engine, new VirtualThreadPool(2), List.of(new KvsServer.Listener(ANY_PORT, KvsProtocol.INSTANCE)), options);
        metrics.serve(ANY_PORT, server.stats(), access);
    }

    @AfterEach
    void stop() throws Exception {
        if (metrics != null) {
            metrics.close();
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private HttpResponse<String> scrape(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void figuresAndRequestTimes_changeAsRequestsAreMade() throws Exception {
        start(Access.defaults());
        String before = scrape(null).body();
        assertThat(before).contains("kvs_keys 0.0", "jvm_memory_used_bytes", "kvs_build_info{version=");
        try (KvsClient c = KvsClient.connect(server.address())) {
            c.set("a", "1");
            c.set("b", "2");
            c.get("a");
        }
        HttpResponse<String> after = scrape(null);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("kvs_keys 2.0", "kvs_requests_total{kind=\"set\"} 2.0",
                "kvs_requests_total{kind=\"get\"} 1.0", "kvs_request_duration_seconds_count{kind=\"set\"} 2",
                "kvs_request_duration_seconds_bucket{kind=\"get\",le=\"+Inf\"} 1", "kvs_connections_accepted_total 1.0");
    }

    @Test
    void withAPassword_scrapesNeedBasicAuthentication() throws Exception {
        start(Access.defaults().withPassword(Password.of("s3cret")));
        HttpResponse<String> anonymous = scrape(null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"kvs\"");
        assertThat(scrape(basic("prometheus", "wrong")).statusCode()).isEqualTo(401);
        HttpResponse<String> right = scrape(basic("prometheus", "s3cret"));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("kvs_auth_failures_total 1.0");
    }

    @Test
    void protectedMode_turnsRemoteScrapersAway() throws Exception {
        start(Access.defaults().withLocalPeers(peer -> false));
        assertThat(scrape(null).statusCode()).isEqualTo(403);
    }
}
