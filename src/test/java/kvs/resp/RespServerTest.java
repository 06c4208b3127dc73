package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import kvs.KvsException;
import kvs.NotLeaderException;
import kvs.client.KvsClient;
import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.pool.VirtualThreadPool;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The RESP listener over raw sockets: the exact bytes of replies and errors, and when the connection closes. */
class RespServerTest {

    private static final int MAX_FRAME = 1 << 20;

    @TempDir
    Path dir;

    private TestServer fixture;

    private void start(Store engine) throws IOException, KvsException {
        RespProtocol.Settings settings = new RespProtocol.Settings("test",
                Map.of("appendonly", "yes", "appendfsync", "everysec", "port", ""));
        fixture = TestServer.kvsAndResp(engine, settings, KvsServer.Options.defaults().withMaxFrame(MAX_FRAME));
    }

    private void start() throws Exception {
        start(KvStore.open(dir));
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A request as a multibulk array of bulk strings. */
    static String cmd(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    private static void send(Socket s, String request) throws IOException {
        send(s, request.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Socket s, byte[] request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
    }

    /** Reads exactly as many bytes as {@code expected} has and checks they are those. */
    private static void expect(Socket s, String expected) throws IOException {
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        byte[] got = s.getInputStream().readNBytes(want.length);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    /** Sends {@code request} on a new connection and checks the reply. */
    private void exchange(String request, String expected) throws IOException {
        Socket s = fixture.connect(1);
        send(s, request);
        expect(s, expected);
    }

    private static void expectClosed(Socket s) throws IOException {
        try {
            assertThat(s.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
        } catch (java.net.SocketException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset"); // closed with our unread bytes in its buffer
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PING\\r\\n | +PONG\\r\\n",
            "ping hello\\r\\n | $5\\r\\nhello\\r\\n",
            "\\r\\n\\r\\nPING\\r\\n | +PONG\\r\\n",
            "set 'a b' \"x\\\\ty\"\\r\\nget 'a b'\\r\\n | +OK\\r\\n$3\\r\\nx\\ty\\r\\n",
            "PING\\n | +PONG\\r\\n",
    })
    void inlineRequests(String request, String reply) throws Exception {
        start();
        exchange(unescape(request), unescape(reply));
    }

    /** CSV cells write CR, LF and TAB as \r, \n and \t. */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    @Test
    void replies_areRedisBytes() throws Exception {
        start();
        Socket s = fixture.connect(1);
        String[][] cases = {
                {cmd("PING"), "+PONG\r\n"},
                {cmd("ECHO", "héllo"), "$6\r\nhéllo\r\n"},
                {cmd("GET", "k"), "$-1\r\n"},
                {cmd("SET", "k", "v"), "+OK\r\n"},
                {cmd("GET", "k"), "$1\r\nv\r\n"},
                {cmd("set", "k", "w", "NX"), "$-1\r\n"},
                {cmd("SET", "k", "w", "XX", "GET"), "$1\r\nv\r\n"},
                {cmd("SET", "new", "1", "XX"), "$-1\r\n"},
                {cmd("SET", "new", "1", "NX", "GET"), "$-1\r\n"},
                {cmd("SET", "k", "v", "NX", "XX"), "-ERR syntax error\r\n"},
                {cmd("SET", "k", "v", "EX"), "-ERR syntax error\r\n"},
                {cmd("SET", "k", "v", "EX", "0"), "-ERR invalid expire time in 'set' command\r\n"},
                {cmd("SET", "k", "v", "bogus"), "-ERR syntax error\r\n"},
                {cmd("SETNX", "k", "x"), ":0\r\n"},
                {cmd("GETSET", "k", "v2"), "$1\r\nw\r\n"},
                {cmd("GETDEL", "k"), "$2\r\nv2\r\n"},
                {cmd("GETDEL", "k"), "$-1\r\n"},
                {cmd("MSET", "a", "1", "b", "2"), "+OK\r\n"},
                {cmd("MSET", "a", "1", "b"), "-ERR wrong number of arguments for 'mset' command\r\n"},
                {cmd("MGET", "a", "zz", "b"), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"},
                {cmd("MSETNX", "b", "9", "c", "9"), ":0\r\n"},
                {cmd("MSETNX", "c", "3", "d", "4"), ":1\r\n"},
                {cmd("EXISTS", "a", "a", "zz"), ":2\r\n"},
                {cmd("DEL", "a", "a", "zz", "b"), ":2\r\n"},
                {cmd("UNLINK", "c"), ":1\r\n"},
                {cmd("TYPE", "d"), "+string\r\n"},
                {cmd("TYPE", "zz"), "+none\r\n"},
                {cmd("APPEND", "s", "héllo"), ":6\r\n"},
                {cmd("STRLEN", "s"), ":6\r\n"},
                {cmd("GETRANGE", "s", "0", "2"), "$3\r\nhé\r\n"},
                {cmd("GETRANGE", "s", "-3", "-1"), "$3\r\nllo\r\n"},
                {cmd("GETRANGE", "s", "5", "2"), "$0\r\n\r\n"},
                {cmd("GETRANGE", "s", "x", "2"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("SETRANGE", "s", "0", "J"), ":6\r\n"},
                {cmd("SETRANGE", "t", "2", "x"), ":3\r\n"},
                {cmd("GET", "t"), "$3\r\n\0\0x\r\n"},
                {cmd("SETRANGE", "t", "-1", "x"), "-ERR offset is out of range\r\n"},
                {cmd("SETRANGE", "none", "5", ""), ":0\r\n"},
                {cmd("SETRANGE", "s", "2", "\u00ff"), ":6\r\n"}, // bytes J C3 C3 BF l o: not UTF-8, stored as they are
                {cmd("SETRANGE", "s", "1", "\u00ffl"), ":6\r\n"},
                {cmd("GET", "s"), "$6\r\nJ\u00ffllo\r\n"},
                {cmd("INCR", "n"), ":1\r\n"},
                {cmd("INCRBY", "n", "41"), ":42\r\n"},
                {cmd("DECR", "n"), ":41\r\n"},
                {cmd("DECRBY", "n", "-1"), ":42\r\n"},
                {cmd("INCR", "s"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("INCRBY", "n", "1.5"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("SET", "big", "9223372036854775807"), "+OK\r\n"},
                {cmd("INCR", "big"), "-ERR increment or decrement would overflow\r\n"},
                {cmd("DECRBY", "n", "-9223372036854775808"), "-ERR decrement would overflow\r\n"},
                {cmd("SET", "lead", "01"), "+OK\r\n"},
                {cmd("INCR", "lead"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("INCRBYFLOAT", "f", "10.5"), "$4\r\n10.5\r\n"},
                {cmd("INCRBYFLOAT", "f", "0.1"), "$4\r\n10.6\r\n"},
                {cmd("INCRBYFLOAT", "f", "-5.0e3"), "$23\r\n-4989.39999999999999991\r\n"}, // long double, as Redis
                {cmd("INCRBYFLOAT", "f", "inf"), "-ERR increment would produce NaN or Infinity\r\n"},
                {cmd("INCRBYFLOAT", "f", "abc"), "-ERR value is not a valid float\r\n"},
                {cmd("INCRBYFLOAT", "s", "1"), "-ERR value is not a valid float\r\n"},
                {cmd("GET"), "-ERR wrong number of arguments for 'get' command\r\n"},
                {cmd("GET", "a", "b"), "-ERR wrong number of arguments for 'get' command\r\n"},
                {cmd("PING", "a", "b"), "-ERR wrong number of arguments for 'ping' command\r\n"},
                {cmd("foo", "a", "b"), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"},
                {cmd("FOO"), "-ERR unknown command 'FOO', with args beginning with: \r\n"},
                {cmd("foo", "x".repeat(200), "y"), "-ERR unknown command 'foo', with args beginning with: '"
                        + "x".repeat(128) + "' \r\n"},
                {cmd("CLIENT", "nope"), "-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n"},
                // Not a Redis Cluster node: Redis 7.2's answers with cluster support disabled, after its name and arity checks.
                {cmd("CLUSTER", "INFO"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("cluster", "keyslot", "foo"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("CLUSTER", "SLOTS"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("CLUSTER", "ADDSLOTS", "1", "2"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("CLUSTER"), "-ERR wrong number of arguments for 'cluster' command\r\n"},
                {cmd("CLUSTER", "KEYSLOT"), "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n"},
                {cmd("CLUSTER", "SLOTS", "x"), "-ERR wrong number of arguments for 'cluster|slots' command\r\n"},
                {cmd("CLUSTER", "nope"), "-ERR unknown subcommand 'nope'. Try CLUSTER HELP.\r\n"},
                {cmd("ASKING"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("READONLY"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("READWRITE"), "-ERR This instance has cluster support disabled\r\n"},
                {cmd("READONLY", "x"), "-ERR wrong number of arguments for 'readonly' command\r\n"},
                {cmd("INFO", "cluster"), "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n"},
                {cmd("client"), "-ERR wrong number of arguments for 'client' command\r\n"},
                {cmd("CLIENT", "SETNAME"), "-ERR wrong number of arguments for 'client|setname' command\r\n"},
                {cmd("CLIENT", "SETNAME", "a b"), "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
                {cmd("CLIENT", "GETNAME"), "$-1\r\n"},
                {cmd("CLIENT", "SETNAME", "me"), "+OK\r\n"},
                {cmd("CLIENT", "GETNAME"), "$2\r\nme\r\n"},
                {cmd("CLIENT", "SETINFO", "LIB-NAME", "jedis"), "+OK\r\n"},
                {cmd("CLIENT", "SETINFO", "color", "x"), "-ERR Unrecognized option 'color'\r\n"},
                {cmd("SELECT", "0"), "+OK\r\n"},
                {cmd("SELECT", "1"), "-ERR DB index is out of range\r\n"},
                {cmd("SELECT", "x"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("SELECT", "99999999999"), "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"},
                {cmd("COMMAND", "DOCS"), "*0\r\n"},
                {cmd("COMMAND", "INFO", "get", "nope"),
                        "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*0\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n*-1\r\n"},
                {cmd("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
                {cmd("COMMAND", "GETKEYS", "set", "a", "b", "ex", "10"), "*1\r\n$1\r\na\r\n"},
                {cmd("COMMAND", "GETKEYS", "rename", "a", "b"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
                {cmd("COMMAND", "GETKEYS", "ping"), "-ERR wrong number of arguments for 'command|getkeys' command\r\n"},
                {cmd("COMMAND", "GETKEYS", "nosuch", "x"), "-ERR Invalid command specified\r\n"},
                {cmd("COMMAND", "GETKEYS", "cluster", "slots"), "-ERR The command has no key arguments\r\n"},
                {cmd("COMMAND", "GETKEYS", "config", "get", "x"), "-ERR The command has no key arguments\r\n"},
                {cmd("COMMAND", "GETKEYS", "get", "a", "b"), "-ERR Invalid number of arguments specified for command\r\n"},
                {cmd("CONFIG", "GET", "appendfsync"), "*2\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n"},
                {cmd("CONFIG", "GET", "nothing"), "*0\r\n"},
                {cmd("CONFIG", "SET", "appendfsync", "always"),
                        "-ERR Unknown option or number of arguments for CONFIG SET - 'appendfsync'\r\n"},
                {cmd("EXPIRE", "k", "ten"), "-ERR value is not an integer or out of range\r\n"},
                {cmd("TTL", "d"), ":-1\r\n"},
                {cmd("TTL", "k"), ":-2\r\n"},
                {cmd("EXEC"), "-ERR EXEC without MULTI\r\n"},
                {cmd("HELLO", "4"), "-NOPROTO unsupported protocol version\r\n"},
                {cmd("HELLO", "x"), "-ERR Protocol version is not an integer or out of range\r\n"},
                {cmd("HELLO", "3", "bogus"), "-ERR Syntax error in HELLO option 'bogus'\r\n"},
                {cmd("FLUSHDB", "bogus"), "-ERR syntax error\r\n"},
        };
        for (String[] c : cases) {
            send(s, c[0]);
            assertThat(readReply(s)).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void aWriteToAGroupsFollower_isAnsweredReadonly_asARedisReplicaAnswersIt() throws Exception {
        start(new Store() { // a follower: every write refused, naming the leader
            private final Watches watches = new Watches();

            @Override
            public void writeAll(List<? extends Write<?>> writes) {
                writes.forEach(w -> w.fail(new NotLeaderException("127.0.0.1:4001")));
            }

            @Override
            public Bytes get(Bytes key) {
                return Bytes.utf8("v");
            }

            @Override
            public Entry entry(Bytes key) {
                return Entry.of(get(key));
            }

            @Override
            public List<Bytes> getAll(List<Bytes> keys) {
                return keys.stream().map(this::get).toList();
            }

            @Override
            public Watches watches() {
                return watches;
            }

            @Override
            public InstantSource clock() {
                return InstantSource.system();
            }

            @Override
            public List<KeyDeadline> scanDeadlines(int count) {
                return List.of();
            }

            @Override
            public Bytes meta(String name) {
                return null;
            }

            @Override
            public Iterator<Bytes> keys() {
                return List.of(Bytes.utf8("k")).iterator();
            }

            @Override
            public long size() {
                return 1;
            }

            @Override
            public void sync() {
            }

            @Override
            public StoreFigures figures() {
                return new StoreFigures("follower", "raft", 1, 0, 0, 0, 0, 0, 0, 0, 0, null);
            }

            @Override
            public void close() {
            }
        });
        Socket s = fixture.connect(1);
        send(s, cmd("SET", "k", "v") + cmd("GET", "k") + cmd("DEL", "k") + cmd("TTL", "k") + cmd("GETEX", "k")
                + cmd("EXPIRE", "k", "10"));
        String readonly = "-READONLY You can't write against a read only replica.\r\n";
        expect(s, readonly + "$1\r\nv\r\n" + readonly + ":-1\r\n"
                + readonly + readonly); // GETEX is a write even without options, as in Redis
        send(s, cmd("MULTI") + cmd("SET", "k", "v") + cmd("EXEC"));
        expect(s, "+OK\r\n+QUEUED\r\n-EXECABORT Transaction discarded because of: READONLY You can't write against a"
                + " read only replica.\r\n"); // as Redis's EXEC on a server that became a replica
    }

    @Test
    void resp3_nullsAndHello() throws Exception {
        start();
        Socket s = fixture.connect(1);
        send(s, cmd("HELLO", "3", "SETNAME", "n1"));
        String hello = readReply(s);
        send(s, cmd("CLIENT", "ID"));
        String id = readReply(s); // ":n\r\n": HELLO must report this connection's id
        assertThat(hello).isEqualTo("%7\r\n$6\r\nserver\r\n$3\r\nkvs\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n"
                + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n" + id + "$4\r\nmode\r\n$10\r\nstandalone\r\n"
                + "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n");
        send(s, cmd("GET", "nope") + cmd("MGET", "nope") + cmd("CLIENT", "GETNAME") + cmd("CONFIG", "GET", "appendonly")
                + cmd("COMMAND", "INFO", "x") + cmd("INCRBYFLOAT", "f", "1.5"));
        expect(s, "_\r\n*1\r\n_\r\n$2\r\nn1\r\n%1\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n*1\r\n_\r\n$3\r\n1.5\r\n");
        send(s, cmd("HELLO", "2") + cmd("GET", "nope"));
        assertThat(readReply(s)).startsWith("*14\r\n$6\r\nserver\r\n").contains("$5\r\nproto\r\n:2\r\n");
        expect(s, "$-1\r\n");
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder_andSeeEachOther() throws Exception {
        start();
        Socket s = fixture.connect(1);
        StringBuilder requests = new StringBuilder();
        StringBuilder replies = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            requests.append(cmd("SET", "k" + i, "v" + i)).append(cmd("INCR", "n")).append(cmd("GET", "k" + i));
            String v = "v" + i;
            replies.append("+OK\r\n:").append(i + 1).append("\r\n$").append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        requests.append(cmd("DBSIZE")).append(cmd("FLUSHALL")).append(cmd("DBSIZE"));
        replies.append(":2001\r\n+OK\r\n:0\r\n");
        send(s, requests.toString());
        expect(s, replies.toString());
    }

    @Test
    void keysScanAndRandomkey() throws Exception {
        start();
        Socket s = fixture.connect(1);
        send(s, cmd("RANDOMKEY") + cmd("KEYS", "*"));
        expect(s, "$-1\r\n*0\r\n");
        StringBuilder mset = new StringBuilder();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add("key:" + i);
        }
        List<String> args = new ArrayList<>(List.of("MSET"));
        for (String k : all) {
            args.add(k);
            args.add("v");
        }
        mset.append(cmd(args.toArray(String[]::new)));
        send(s, mset + cmd("SET", "other", "x"));
        expect(s, "+OK\r\n+OK\r\n");
        send(s, cmd("KEYS", "key:99?"));
        List<String> nineties = readArray(s);
        assertThat(nineties).containsExactlyInAnyOrder("key:990", "key:991", "key:992", "key:993", "key:994",
                "key:995", "key:996", "key:997", "key:998", "key:999");
        // A whole scan returns every key once, while other keys come and go.
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            send(s, cmd("SCAN", cursor, "MATCH", "key:*", "COUNT", "7") + cmd("SET", "churn" + calls, "x"));
            s.getInputStream().readNBytes(4); // *2\r\n
            cursor = readBulk(s);
            seen.addAll(readArray(s));
            expect(s, "+OK\r\n");
            calls++;
        } while (!cursor.equals("0"));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
        assertThat(calls).isGreaterThan(1);
        send(s, cmd("SCAN", "0", "TYPE", "hash") + cmd("SCAN", "x") + cmd("SCAN", "0", "COUNT", "0")
                + cmd("SCAN", "0", "MATCH"));
        expect(s, "*2\r\n$1\r\n0\r\n*0\r\n-ERR invalid cursor\r\n-ERR syntax error\r\n-ERR syntax error\r\n");
        send(s, cmd("RANDOMKEY"));
        String random = readBulk(s);
        assertThat(random).matches("key:\\d+|other|churn\\d+");
    }

    /** Reads one whole reply, as the bytes it came in. */
    static String readReply(Socket s) throws IOException {
        String line = readLine(s);
        StringBuilder b = new StringBuilder(line).append("\r\n");
        switch (line.charAt(0)) {
            case '$', '=' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n >= 0) {
                    b.append(new String(s.getInputStream().readNBytes(n + 2), StandardCharsets.UTF_8));
                }
            }
            case '*', '~', '%' -> {
                int n = Integer.parseInt(line.substring(1)) * (line.charAt(0) == '%' ? 2 : 1);
                for (int i = 0; i < n; i++) {
                    b.append(readReply(s));
                }
            }
            default -> {
            }
        }
        return b.toString();
    }

    private static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).isNotEqualTo(-1);
            b.append((char) c);
        }
        return b.substring(0, b.length() - 1);
    }

    private static String readBulk(Socket s) throws IOException {
        String header = readLine(s);
        assertThat(header).startsWith("$");
        int n = Integer.parseInt(header.substring(1));
        String v = new String(s.getInputStream().readNBytes(n), StandardCharsets.UTF_8);
        readLine(s);
        return v;
    }

    private static List<String> readArray(Socket s) throws IOException {
        String header = readLine(s);
        assertThat(header).startsWith("*");
        List<String> items = new ArrayList<>();
        for (int i = Integer.parseInt(header.substring(1)); i > 0; i--) {
            items.add(readBulk(s));
        }
        return items;
    }

    @Test
    void errorsQuotingArguments_echoTheirBytesUnchanged_asRedisDoes() throws Exception {
        start();
        Socket s = fixture.connect(1);
        byte[] request = "*2\r\n$2\r\n\u00ff\u00e9\r\n$2\r\n\u00c3(\r\n".getBytes(StandardCharsets.ISO_8859_1);
        send(s, request);
        byte[] want = "-ERR unknown command '\u00ff\u00e9', with args beginning with: '\u00c3(' \r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(s.getInputStream().readNBytes(want.length)).isEqualTo(want);
    }

    @Test
    void binaryKeysAndValues_areStoredAndReturnedUnchanged() throws Exception {
        start();
        Socket s = fixture.connect(1);
        byte[] key = {(byte) 0xFF, 0, '\r', '\n', (byte) 0x80};
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        send(s, command(bytes("SET"), key, value));
        expectBytes(s, bytes("+OK\r\n"));
        send(s, command(bytes("GET"), key));
        expectBytes(s, concat(bytes("$256\r\n"), value, bytes("\r\n")));
        send(s, command(bytes("APPEND"), key, new byte[] {(byte) 0xC3}));
        expectBytes(s, bytes(":257\r\n"));
        send(s, command(bytes("STRLEN"), key));
        expectBytes(s, bytes(":257\r\n"));
        send(s, command(bytes("GETRANGE"), key, bytes("-2"), bytes("-1")));
        expectBytes(s, concat(bytes("$2\r\n"), new byte[] {(byte) 0xFF, (byte) 0xC3}, bytes("\r\n")));
        send(s, command(bytes("KEYS"), new byte[] {(byte) 0xFF, '*'}));
        expectBytes(s, concat(bytes("*1\r\n$5\r\n"), key, bytes("\r\n")));
        send(s, command(bytes("MSET"), new byte[] {0}, new byte[] {(byte) 0xFE}, new byte[0], new byte[] {(byte) 0xC3, '('}));
        expectBytes(s, bytes("+OK\r\n"));
        send(s, command(bytes("MGET"), new byte[] {0}, new byte[0], bytes("absent")));
        expectBytes(s, concat(bytes("*3\r\n$1\r\n"), new byte[] {(byte) 0xFE}, bytes("\r\n$2\r\n"),
                new byte[] {(byte) 0xC3, '('}, bytes("\r\n$-1\r\n")));
        send(s, command(bytes("INCR"), new byte[] {0}));
        expectBytes(s, bytes("-ERR value is not an integer or out of range\r\n"));
        send(s, command(bytes("DEL"), key, new byte[0]));
        expectBytes(s, bytes(":2\r\n"));
        send(s, cmd("DBSIZE"));
        expectBytes(s, bytes(":1\r\n"));
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A request of arguments of any bytes. */
    private static byte[] command(byte[]... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(bytes("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.writeBytes(bytes("$" + a.length + "\r\n"));
            out.writeBytes(a);
            out.writeBytes(bytes("\r\n"));
        }
        return out.toByteArray();
    }

    private static void expectBytes(Socket s, byte[] want) throws IOException {
        assertThat(s.getInputStream().readNBytes(want.length)).isEqualTo(want);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "*x\r\n|invalid multibulk length",
            "*1048577\r\n|invalid multibulk length",
            "*1\r\n$x\r\n|invalid bulk length",
            "*1\r\n$-1\r\n|invalid bulk length",
            "*1\r\n$1048577\r\n|invalid bulk length",
            "*1\r\n+a\r\n|expected '$', got '+'",
            "set \"a\r\n|unbalanced quotes in request",
    })
    void protocolErrors_areAnswered_thenTheConnectionCloses(String c) throws Exception {
        start();
        String[] parts = c.split("\\|");
        Socket s = fixture.connect(1);
        send(s, cmd("SET", "before", "1") + parts[0] + cmd("SET", "after", "1"));
        expect(s, "+OK\r\n-ERR Protocol error: " + parts[1] + "\r\n");
        expectClosed(s);
        assertThat(fixture.engine().get("before")).hasValue("1");
        assertThat(fixture.engine().get("after")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"'', too big inline request", "'*', too big mbulk count string", "'*1\r\n', too big bulk count string"})
    void aLineWithoutNewlineWithin64KiB_isAnError(String prefix, String error) throws Exception {
        start();
        Socket s = fixture.connect(1);
        send(s, prefix + "9".repeat(RespRequestReader.INLINE_MAX + 1));
        expect(s, "-ERR Protocol error: " + error + "\r\n");
        expectClosed(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST / HTTP/1.1\r\n", "Host: example.com\r\n", "*1\r\n$4\r\nPOST\r\n"})
    void crossProtocolRequests_closeTheConnectionUnanswered(String request) throws Exception {
        start();
        Socket s = fixture.connect(1);
        send(s, cmd("SET", "before", "1") + request + cmd("SET", "after", "1"));
        expectClosed(s); // unanswered, even the request before it
        assertThat(fixture.engine().get("before")).as("run, as Redis runs it").hasValue("1");
        assertThat(fixture.engine().get("after")).isEmpty();
    }

    @Test
    void quit_answersOk_andCloses_unansweredAfterIt() throws Exception {
        start();
        Socket s = fixture.connect(1);
        send(s, cmd("SET", "a", "1") + cmd("QUIT") + cmd("SET", "b", "1"));
        expect(s, "+OK\r\n+OK\r\n");
        expectClosed(s);
        assertThat(fixture.engine().get("b")).isEmpty();
    }

    @Test
    void largeValues_arriveInPieces_andAreStoredWhole() throws Exception {
        start();
        Socket s = fixture.connect(1);
        String big = "x".repeat(MAX_FRAME);
        byte[] request = cmd("SET", "big", big).getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < request.length; off += 100_000) {
            s.getOutputStream().write(request, off, Math.min(100_000, request.length - off));
            s.getOutputStream().flush();
        }
        expect(s, "+OK\r\n");
        send(s, cmd("STRLEN", "big") + cmd("GET", "big"));
        expect(s, ":" + MAX_FRAME + "\r\n$" + MAX_FRAME + "\r\n" + big + "\r\n");
    }

    @Test
    void bothProtocols_seeTheSameData() throws Exception {
        start();
        Socket s = fixture.connect(1);
        try (KvsClient kvs = KvsClient.connect(fixture.server().address())) {
            send(s, cmd("SET", "from-resp", "é1"));
            expect(s, "+OK\r\n");
            assertThat(kvs.get("from-resp")).hasValue("é1");
            kvs.set("from-kvs", "2");
            send(s, cmd("GET", "from-kvs") + cmd("INCR", "from-kvs"));
            expect(s, "$1\r\n2\r\n:3\r\n");
            assertThat(kvs.get("from-kvs")).hasValue("3");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void increments_from64Clients_withSetsAndCompaction_endExact(String name) throws Exception {
        EngineOptions options = EngineOptions.defaults().withCompactionThreshold(4096).withMaxFileSize(16 << 10);
        start(name.equals("kvs") ? KvStore.open(dir, options) : MvStoreEngine.open(dir, options));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 64; t++) {
            Socket s = fixture.connect(1);
            int id = t;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int round = 0; round < 10; round++) { // 100 pipelined at a time, a SET among them
                        StringBuilder b = new StringBuilder(cmd("SET", "other" + id, "r" + round));
                        for (int j = 0; j < 100; j++) {
                            b.append(cmd("INCR", "n"));
                        }
                        send(s, b.toString());
                        expect(s, "+OK\r\n");
                        for (int j = 0; j < 100; j++) {
                            assertThat(readLine(s)).startsWith(":");
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(fixture.engine().get("n")).hasValue("64000");
    }

    @Test
    void anIdleClientWithAHalfRequest_isClosedAfterTheTimeout() throws Exception {
        fixture = TestServer.start(KvStore.open(dir), new VirtualThreadPool(2),
                List.of(RespProtocol.of(new RespProtocol.Settings("test", Map.of()))),
                KvsServer.Options.defaults().withTimeout(java.time.Duration.ofMillis(300)));
        Socket s = fixture.connect(0);
        send(s, "*2\r\n$3\r\nGET\r\n$1");
        expectClosed(s);
    }

    @Test
    void anUnfinishedRequest_doesNotBlockTheServer() throws Exception {
        start();
        Socket slow = fixture.connect(1);
        send(slow, "*1\r\n$4\r\nPI");
        exchange(cmd("PING"), "+PONG\r\n");
        send(slow, "NG\r\n");
        expect(slow, "+PONG\r\n");
        slow.setSoTimeout(200);
        try {
            int b = slow.getInputStream().read();
            assertThat(b).as("nothing more").isEqualTo(-2);
        } catch (SocketTimeoutException expected) {
            // still open, nothing more to read
        }
    }
}
