package kvs.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.pool.ThreadPool;
import kvs.pool.VirtualThreadPool;
import kvs.protocol.server.KvsProtocol;
import kvs.resp.RespProtocol;
import kvs.session.Protocol;
import kvs.store.Store;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * A KvsServer on loopback port 0 for tests that talk to it over the network, and the sockets and
 * clients they open to it: closing it closes those, then the server, then the engine.
 */
public final class TestServer implements AutoCloseable {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final Store engine;
    private final KvsServer server;
    private final List<Opened> opened = new ArrayList<>();

    /** A socket or client opened to the server (narrower than AutoCloseable, whose close() may throw InterruptedException). */
    private interface Opened {
        void close() throws IOException, KvsException;
    }

    private TestServer(Store engine, KvsServer server) {
        this.engine = engine;
        this.server = server;
    }

    /** Serves {@code engine}, which it then owns, with a listener for each protocol, in their order. */
    public static TestServer start(Store engine, ThreadPool pool, List<Protocol> protocols, KvsServer.Options options)
            throws IOException, KvsException {
        List<KvsServer.Listener> listeners = protocols.stream().map(p -> new KvsServer.Listener(ANY_PORT, p)).toList();
        try {
            return new TestServer(engine, KvsServer.start(engine, pool, listeners, options));
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** Serves {@code engine} on two virtual threads: the kvs protocol on listener 0, RESP on listener 1. */
    public static TestServer kvsAndResp(Store engine, RespProtocol.Settings settings, KvsServer.Options options)
            throws IOException, KvsException {
        return start(engine, new VirtualThreadPool(2), List.of(KvsProtocol.INSTANCE, RespProtocol.of(settings)), options);
    }

    public Store engine() {
        return engine;
    }

    public KvsServer server() {
        return server;
    }

    /** A connection to listener {@code listener} whose reads give up after 20 s, so a test that waits in vain fails. */
    public Socket connect(int listener) throws IOException {
        Socket s = new Socket();
        opened.add(s::close);
        s.connect(server.addresses().get(listener));
        s.setSoTimeout(20_000);
        return s;
    }

    /** A client of listener 0. */
    public KvsClient client(KvsClient.Options options) throws KvsException {
        KvsClient c = KvsClient.connect(server.address(), options);
        opened.add(c::close);
        return c;
    }

    /** A Jedis client of listener {@code listener}, which must speak RESP. */
    public Jedis jedis(int listener, JedisClientConfig config) {
        Jedis j = new Jedis(new HostAndPort("127.0.0.1", server.addresses().get(listener).getPort()), config);
        opened.add(j::close);
        return j;
    }

    @Override
    public void close() throws IOException, KvsException {
        try {
            for (Opened c : opened) {
                c.close();
            }
        } finally {
            try {
                server.close();
            } finally {
                engine.close();
            }
        }
    }
}
