package kvs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import kvs.KvsException;
import kvs.engine.KvStore;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.Request;
import kvs.protocol.server.KvsProtocol;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KvsClient's and GroupClient's getAll against a real server on loopback port 0. */
class KvsClientGetAllTest {

    private static final Bytes BINARY = Bytes.wrap(new byte[] {(byte) 0xFF, 0});

    @TempDir
    Path dir;

    private TestServer server;

    private KvsClient start(KvsServer.Options options) throws Exception {
        server = TestServer.start(KvStore.open(dir), new VirtualThreadPool(2), List.of(KvsProtocol.INSTANCE), options);
        server.engine().set(b("a"), b("1"));
        server.engine().set(b("empty"), Bytes.EMPTY);
        server.engine().set(b("binary"), BINARY);
        return server.client(KvsClient.Options.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    @Test
    void getAll_answersEachKeysValue_inOrder_emptyForAnAbsentKey() throws Exception {
        KvsClient client = start(KvsServer.Options.defaults());
        assertThat(client.getAll(List.of(b("a"), b("absent"), b("empty"), BINARY, b("binary"), b("a")))).containsExactly(
                Optional.of(b("1")), Optional.empty(), Optional.of(Bytes.EMPTY), Optional.empty(), Optional.of(BINARY),
                Optional.of(b("1")));
        try (GroupClient group = GroupClient.of(List.of(server.server().address()), KvsClient.Options.defaults())) {
            assertThat(group.getAll(List.of(b("absent"), b("a")))).containsExactly(Optional.empty(), Optional.of(b("1")));
        }
    }

    @Test
    void getAllOfText_answersText_andAValueThatIsNotText_fails() throws Exception {
        KvsClient client = start(KvsServer.Options.defaults());
        assertThat(client.getAll("a", "absent", "empty")).containsExactly(Optional.of("1"), Optional.empty(), Optional.of(""));
        assertThatThrownBy(() -> client.getAll("a", "binary")).isInstanceOf(KvsException.class)
                .hasMessage("the value of 'binary' is not UTF-8 text (2 bytes); read it with getAll(List<Bytes>)");
    }

    @Test
    void noKeys_areAnsweredWithoutTheServer_andTooManyAreRefusedBeforeSending() throws Exception {
        KvsClient client = start(KvsServer.Options.defaults());
        assertThat(client.getAll(List.of())).isEmpty();
        assertThat(client.getAll()).isEmpty();
        assertThatThrownBy(() -> client.getAll(Collections.nCopies(Request.GetAll.MAX_KEYS + 1, Bytes.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(client.stats()).doesNotContainKey("requests_mget").containsEntry("requests_total", 0L);
    }

    @Test
    void anAnswerAboveTheServersMaximumFrame_isAnError_andTheConnectionGoesOn() throws Exception {
        KvsClient client = start(KvsServer.Options.defaults().withMaxFrame(1024));
        server.engine().set(b("big"), b("v".repeat(600)));
        assertThatThrownBy(() -> client.getAll(List.of(b("big"), b("big")))).isInstanceOf(KvsException.class)
                .hasMessageContaining("too_large");
        assertThat(client.getAll(List.of(b("big")))).containsExactly(Optional.of(b("v".repeat(600))));
    }
}
