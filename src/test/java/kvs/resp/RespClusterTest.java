package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import kvs.KvsException;
import kvs.MovedException;
import kvs.engine.KvStore;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.slots.HashSlot;
import kvs.slots.SlotMap;
import kvs.slots.Topology;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RESP listener of a process of a sharded cluster, over raw sockets: the exact bytes Redis 7.2
 * answers a cluster node's clients with. The process here serves slots 0-8191 (a half of a
 * two-shard map) from a KvStore, and another, {@link #OTHER}, serves the rest.
 */
class RespClusterTest {

    private static final Topology.Node SELF = new Topology.Node("a".repeat(40), "127.0.0.1", 6001, 5001);
    private static final Topology.Node OTHER = new Topology.Node("b".repeat(40), "127.0.0.1", 6002, 5002);

    @TempDir
    Path dir;

    private TestServer fixture;
    private Socket s;

    /** This process's half of the slots, on a KvStore; the other half moved to {@link #OTHER}. */
    private static final class HalfOfTheSlots extends ForwardingStore implements Topology {

        HalfOfTheSlots(Store store) {
            super(store);
        }

        @Override
        public boolean sharded() {
            return true;
        }

        @Override
        public Store forSlot(int slot) throws MovedException {
            if (slot >= HashSlot.SLOTS / 2) {
                throw new MovedException(slot, "127.0.0.1:4002", "127.0.0.1:" + OTHER.port());
            }
            return store;
        }

        @Override
        public Bytes get(Bytes key) throws KvsException {
            return forSlot(HashSlot.of(key)).get(key);
        }

        @Override
        public Entry entry(Bytes key) throws KvsException {
            return forSlot(HashSlot.of(key)).entry(key);
        }

        @Override
        public Node self() {
            return SELF;
        }

        @Override
        public List<Node> nodes() {
            return List.of(SELF, OTHER);
        }

        @Override
        public SlotMap slots() {
            return SlotMap.even(2);
        }

        @Override
        public Node server(int shard) {
            return shard == 0 ? SELF : OTHER;
        }

        @Override
        public boolean allServed() {
            return true;
        }
    }

    @BeforeEach
    void start() throws Exception {
        HalfOfTheSlots store = new HalfOfTheSlots(KvStore.open(dir));
        fixture = TestServer.kvsAndResp(store, new RespProtocol.Settings("test", Map.of(), store), KvsServer.Options.defaults());
        s = fixture.connect(1);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private void exchange(String request, String expected) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        assertThat(new String(s.getInputStream().readNBytes(want.length), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    private static String cmd(String... args) {
        return RespServerTest.cmd(args);
    }

    private static final String CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

    @Test
    void aKeyOfAnotherProcesssSlotIsMovedThereAndKeysOfSeveralSlotsAreRefused() throws Exception {
        exchange(cmd("SET", "bar", "1"), "+OK\r\n"); // slot 5061: here
        exchange(cmd("GET", "foo"), "-MOVED 12182 127.0.0.1:6002\r\n");
        exchange(cmd("SET", "foo", "1"), "-MOVED 12182 127.0.0.1:6002\r\n");
        exchange(cmd("MGET", "bar", "hello"), CROSSSLOT); // 5061 and 866
        exchange(cmd("DEL", "bar", "foo"), CROSSSLOT);
        exchange(cmd("MSET", "{bar}a", "1", "{bar}b", "2"), "+OK\r\n");
        exchange(cmd("MGET", "{bar}a", "{bar}b"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
        exchange(cmd("WATCH", "bar", "hello"), CROSSSLOT);
        exchange(cmd("GET", "bar"), "$1\r\n1\r\n");
        exchange(cmd("GETT", "foo"), "-ERR unknown command 'GETT', with args beginning with: 'foo' \r\n"); // its checks come first
        exchange(cmd("GET", "foo", "x"), "-ERR wrong number of arguments for 'get' command\r\n");
        exchange(cmd("PING"), "+PONG\r\n");
    }

    @Test
    void aTransactionRunsInOneSlot() throws Exception {
        exchange(cmd("SET", "bar", "old"), "+OK\r\n");
        exchange(cmd("MULTI") + cmd("SET", "bar", "1") + cmd("SET", "hello", "2") + cmd("EXEC"),
                "+OK\r\n+QUEUED\r\n+QUEUED\r\n" + CROSSSLOT);
        exchange(cmd("GET", "bar"), "$3\r\nold\r\n");
        exchange(cmd("EXEC"), "-ERR EXEC without MULTI\r\n"); // discarded
        exchange(cmd("MULTI") + cmd("SET", "bar", "1") + cmd("SET", "foo", "2") + cmd("EXEC"),
                "+OK\r\n+QUEUED\r\n-MOVED 12182 127.0.0.1:6002\r\n-EXECABORT Transaction discarded because of previous errors.\r\n");
        exchange(cmd("MULTI") + cmd("SET", "{hello}x", "1") + cmd("INCR", "{hello}y") + cmd("PING") + cmd("EXEC"),
                "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n:1\r\n+PONG\r\n");
    }

    @Test
    void clusterCommandsDescribeTheSlotMap() throws Exception {
        exchange(cmd("CLUSTER", "KEYSLOT", "foo"), ":12182\r\n");
        exchange(cmd("CLUSTER", "KEYSLOT", "{user1000}.following"), ":3443\r\n");
        exchange(cmd("CLUSTER", "MYID"), "$40\r\n" + SELF.id() + "\r\n");
        exchange(cmd("CLUSTER", "SLOTS"), "*2\r\n"
                + "*3\r\n:0\r\n:8191\r\n*4\r\n$9\r\n127.0.0.1\r\n:6001\r\n$40\r\n" + SELF.id() + "\r\n*0\r\n"
                + "*3\r\n:8192\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:6002\r\n$40\r\n" + OTHER.id() + "\r\n*0\r\n");
        String info = "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\n"
                + "cluster_slots_fail:0\r\ncluster_known_nodes:2\r\ncluster_size:2\r\ncluster_current_epoch:1\r\n"
                + "cluster_my_epoch:1\r\ncluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n"
                + "total_cluster_links_buffer_limit_exceeded:0\r\n";
        exchange(cmd("CLUSTER", "INFO"), "$" + info.length() + "\r\n" + info + "\r\n");
        exchange(cmd("READONLY") + cmd("READWRITE") + cmd("ASKING"), "+OK\r\n+OK\r\n+OK\r\n");
        exchange(cmd("CLUSTER", "ADDSLOTS", "1"), "-ERR CLUSTER ADDSLOTS is not supported: a kvs cluster's slot map changes "
                + "only through kvs-client cluster (docs/CLUSTER.md)\r\n");
        exchange(cmd("CLUSTER", "NOPE"), "-ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.\r\n");
    }

    @Test
    void clusterNodesListsEachProcessWithTheSlotsItServes() throws Exception {
        String body = bulkReply(cmd("CLUSTER", "NODES"));
        String[] lines = body.strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).isEqualTo(SELF.id() + " 127.0.0.1:6001@5001 myself,master - 0 0 1 connected 0-8191");
        assertThat(lines[1]).matches(OTHER.id() + " 127\\.0\\.0\\.1:6002@5002 master - 0 \\d+ 1 connected 8192-16383");
    }

    /** Sends {@code request} and reads its reply, a bulk string. */
    private String bulkReply(String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        StringBuilder header = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != '\r') {
            header.append((char) c);
        }
        assertThat(header.charAt(0)).isEqualTo('$');
        byte[] body = s.getInputStream().readNBytes(1 + Integer.parseInt(header.substring(1)) + 2); // \n, the body, \r\n
        return new String(body, 1, body.length - 3, StandardCharsets.UTF_8);
    }

    @Test
    void keysOfASlotAreCountedAndListedWhereTheSlotIsServed() throws Exception {
        exchange(cmd("SET", "bar", "1") + cmd("SET", "{bar}2", "2") + cmd("SET", "hello", "3"), "+OK\r\n+OK\r\n+OK\r\n");
        exchange(cmd("CLUSTER", "COUNTKEYSINSLOT", "5061"), ":2\r\n");
        exchange(cmd("CLUSTER", "GETKEYSINSLOT", "866", "10"), "*1\r\n$5\r\nhello\r\n");
        exchange(cmd("CLUSTER", "COUNTKEYSINSLOT", "12182"), ":0\r\n");
        exchange(cmd("CLUSTER", "COUNTKEYSINSLOT", "16384"), "-ERR Invalid slot\r\n");
        exchange(cmd("CLUSTER", "COUNTKEYSINSLOT", "x"), "-ERR value is not an integer or out of range\r\n");
        exchange(cmd("CLUSTER", "GETKEYSINSLOT", "1", "-1"), "-ERR Invalid slot or number of keys\r\n");
    }

    @Test
    void helloSaysItIsAClusterNode() throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(cmd("HELLO", "2").getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(line()).isEqualTo("*14");
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            String name = bulkAfter(line());
            String value = line();
            fields.put(name, value.startsWith("$") ? bulkAfter(value) : value);
        }
        assertThat(fields).containsEntry("mode", "cluster").containsEntry("role", "master");
    }

    /** The next line of the reply, without its CRLF. */
    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != '\r') {
            b.append((char) c);
        }
        assertThat(s.getInputStream().read()).isEqualTo('\n');
        return b.toString();
    }

    /** The bulk string whose header is {@code header}. */
    private String bulkAfter(String header) throws IOException {
        assertThat(header).startsWith("$");
        String value = line();
        assertThat(value).hasSize(Integer.parseInt(header.substring(1)));
        return value;
    }

    @Test
    void infoAndConfigSayItIsAClusterNode() throws Exception {
        assertThat(bulkReply(cmd("INFO", "cluster"))).isEqualTo("# Cluster\r\ncluster_enabled:1\r\n");
    }
}
