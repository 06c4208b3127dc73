package kvs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import kvs.KvsException;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.Frames;
import kvs.protocol.server.KvsProtocol;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KvsClient's and GroupClient's expiry methods against a real server on loopback port 0, whose store's clock the test moves. */
class KvsClientExpiryTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private TestServer server;
    private KvsClient client;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(KvStore.open(dir, EngineOptions.defaults().withClock(clock)), new VirtualThreadPool(2),
                List.of(KvsProtocol.INSTANCE), KvsServer.Options.defaults());
        client = server.client(KvsClient.Options.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Instant now() {
        return clock.instant();
    }

    @Test
    void aKeySetWithATtl_hasItsDeadline_andIsGoneTheMillisecondAfter() throws Exception {
        Instant deadline = now().plusSeconds(30);
        client.set("k", "v", Duration.ofSeconds(30));
        assertThat(client.ttl("k")).isEqualTo(new KeyTtl.Expires(deadline, Duration.ofSeconds(30)));
        clock.advance(29_999);
        assertThat(client.ttl("k")).isEqualTo(new KeyTtl.Expires(deadline, Duration.ofMillis(1)));
        clock.advance(1);
        assertThat(client.get("k")).hasValue("v");
        clock.advance(1);
        assertThat(client.get("k")).isEmpty();
        assertThat(client.ttl("k")).isEqualTo(KeyTtl.ABSENT);
    }

    @Test
    void aKeySetWithADeadline_keepsIt_toTheMillisecond() throws Exception {
        Instant deadline = now().plusMillis(1_500).plusNanos(999_999);
        client.set(Bytes.utf8("k"), Bytes.wrap(new byte[] {(byte) 0xff}), deadline);
        assertThat(client.ttl(Bytes.utf8("k"))).isEqualTo(new KeyTtl.Expires(now().plusMillis(1_500), Duration.ofMillis(1_500)));
        assertThat(server.engine().entry(Bytes.utf8("k")).deadline()).isEqualTo(clock.millis() + 1_500);
    }

    @Test
    void expireAndPersist_answerWhetherTheyChangedTheKey() throws Exception {
        assertThat(client.expire("k", Duration.ofMinutes(1))).as("absent").isFalse();
        assertThat(client.persist("k")).isFalse();
        client.set("k", "v");
        assertThat(client.ttl("k")).isEqualTo(KeyTtl.NO_DEADLINE);
        assertThat(client.persist("k")).as("no deadline to remove").isFalse();
        assertThat(client.expire("k", Duration.ofMinutes(1))).isTrue();
        assertThat(client.ttl("k")).isEqualTo(new KeyTtl.Expires(now().plusSeconds(60), Duration.ofMinutes(1)));
        assertThat(client.expireAt("k", now().plusSeconds(90))).isTrue();
        assertThat(client.ttl("k")).isEqualTo(new KeyTtl.Expires(now().plusSeconds(90), Duration.ofSeconds(90)));
        assertThat(client.persist("k")).isTrue();
        assertThat(client.ttl("k")).isEqualTo(KeyTtl.NO_DEADLINE);
        clock.advance(100_000);
        assertThat(client.get("k")).hasValue("v");
    }

    @Test
    void expireWithZero_orAPastDeadline_removesTheKey() throws Exception {
        client.set("a", "1");
        client.set("b", "2");
        assertThat(client.expire("a", Duration.ZERO)).isTrue();
        assertThat(client.expireAt("b", now().minusSeconds(1))).isTrue();
        assertThat(client.ttl("a")).isEqualTo(KeyTtl.ABSENT);
        assertThat(client.get("b")).isEmpty();
        assertThat(server.engine().size()).as("removed at once, not left for the expiry cycle").isZero();
    }

    @Test
    void ttlsAndDeadlinesOutOfRange_areRefusedBeforeAnythingIsSent() throws Exception {
        assertThatThrownBy(() -> client.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> client.set("k", "v", Duration.ofNanos(999_999))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.set("k", "v", Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.set("k", "v", Duration.ofSeconds(Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below 2^63 ms");
        assertThatThrownBy(() -> client.set("k", "v", Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.set("k", "v", Instant.MAX)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.expire("k", Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.expireAt("k", Instant.ofEpochMilli(-5))).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.engine().size()).isZero();
        assertThat(client.stats()).as("nothing reached the server").doesNotContainKeys("requests_set", "requests_ttl", "requests_expire");
    }

    @Test
    void aTtlThatWouldOverflowTheDeadline_isTheServersBadRequest() throws Exception {
        assertThatThrownBy(() -> client.set("k", "v", Duration.ofMillis(Long.MAX_VALUE))).isInstanceOf(KvsException.class)
                .hasMessageContaining("bad_request").hasMessageContaining("invalid expire time");
        client.set("k", "v");
        assertThatThrownBy(() -> client.expire("k", Duration.ofMillis(Long.MAX_VALUE))).isInstanceOf(KvsException.class)
                .hasMessageContaining("invalid expire time");
        assertThat(server.engine().entry(Bytes.utf8("k"))).isEqualTo(Entry.of(Bytes.utf8("v")));
    }

    /** The bytes of docs/PROTOCOL.md, "Expiry", over a socket: the test's clock is at 2026-01-01T00:00:00Z, 1767225600000. */
    @Test
    void handBuiltFrames_getTheDocumentedReplyBytes() throws Exception {
        assertThat(clock.millis()).isEqualTo(1_767_225_600_000L);
        Socket s = server.connect(0);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        String ttl = "a2 626f70 6374746c 636b6579 6161";
        String persist = "a2 626f70 6770657273697374 636b6579 6161";
        List<String[]> exchanges = List.of(
                new String[] {ttl, "a2 626f6b f5 66657869737473 f4"},
                new String[] {"a4 626f70 63736574 636b6579 6161 6576616c7565 6162 68646561646c696e65 1b 0000019b76db1d30", "a1 626f6b f5"},
                new String[] {ttl, "a4 626f6b f5 66657869737473 f5 68646561646c696e65 1b 0000019b76db1d30 6374746c 19 7530"},
                new String[] {persist, "a2 626f6b f5 676368616e676564 f5"},
                new String[] {persist, "a2 626f6b f5 676368616e676564 f4"},
                new String[] {ttl, "a3 626f6b f5 66657869737473 f5 68646561646c696e65 f6"},
                new String[] {"a3 626f70 66657870697265 636b6579 6161 6374746c 19 7530", "a2 626f6b f5 676368616e676564 f5"},
                new String[] {"a3 626f70 66657870697265 636b6579 6162 6374746c 19 7530", "a2 626f6b f5 676368616e676564 f4"});
        for (String[] e : exchanges) {
            Frames.write(out, hex(e[0]));
            out.flush();
            assertThat(Frames.read(in, Frames.DEFAULT_MAX_FRAME)).as("reply to %s", e[0]).isEqualTo(hex(e[1]));
        }
    }
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void aGroupClient_hasTheSameExpiryMethods() throws Exception {
        try (GroupClient group = GroupClient.of(List.of(server.server().address()), KvsClient.Options.defaults())) {
            group.set("k", "v", Duration.ofSeconds(5));
            assertThat(group.ttl("k")).isEqualTo(new KeyTtl.Expires(now().plusSeconds(5), Duration.ofSeconds(5)));
            assertThat(group.persist("k")).isTrue();
            assertThat(group.expire("k", Duration.ofSeconds(7))).isTrue();
            assertThat(group.expireAt("absent", now().plusSeconds(7))).isFalse();
            group.set(Bytes.utf8("d"), Bytes.utf8("v"), now().plusSeconds(9));
            assertThat(group.ttl("d")).isEqualTo(new KeyTtl.Expires(now().plusSeconds(9), Duration.ofSeconds(9)));
            clock.advance(7_001);
            assertThat(group.ttl("k")).isEqualTo(KeyTtl.ABSENT);
            assertThatThrownBy(() -> group.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
