package kvs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import kvs.KvsException;
import kvs.engine.EngineOptions;
import kvs.engine.MvStoreEngine;
import kvs.pool.VirtualThreadPool;
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
        server = TestServer.start(MvStoreEngine.open(dir, EngineOptions.defaults().withClock(clock)), new VirtualThreadPool(2),
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
