package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import kvs.KeyNotFoundException;
import kvs.check.Reliability;
import kvs.check.RegisterChecker;
import kvs.check.RegisterChecker.Op;
import kvs.client.KvsClient;
import kvs.pool.VirtualThreadPool;
import kvs.server.KvsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizability through the whole server: 16 clients × 2000 random gets, sets and removes on
 * 8 keys, against a KvStore compacting all the while, each key's history checked against a
 * register ({@link RegisterChecker}). Values are unique, so a read says which write it saw.
 * Seed: {@code -Dkvs.seed=N}; a failure names it and writes the history under target/reliability/.
 */
class ServerLinearizabilityTest {

    private static final long SEED = Reliability.SEED;
    private static final int CLIENTS = 16;
    private static final int OPS = 2000 * Integer.getInteger("kvs.stress", 1);
    private static final int KEYS = 8;

    @TempDir
    Path dir;

    @Test
    void everyKeysHistory_isLinearizable_whileCompactionRuns() throws Exception {
        EngineOptions small = EngineOptions.defaults().withCompactionThreshold(8 << 10).withMaxFileSize(16 << 10);
        Map<String, List<Op>> history = new TreeMap<>();
        for (int k = 0; k < KEYS; k++) {
            history.put("key" + k, Collections.synchronizedList(new ArrayList<>()));
        }
        try (KvStore store = KvStore.open(dir, small)) {
            KvsServer server = KvsServer.start(store, new VirtualThreadPool(1), new InetSocketAddress("127.0.0.1", 0));
            try {
                List<Thread> clients = new ArrayList<>();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                for (int c = 0; c < CLIENTS; c++) {
                    int id = c;
                    clients.add(Thread.ofPlatform().start(() -> {
                        try {
                            run(server.address(), id, new Random(SEED + id), history);
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }));
                }
                for (Thread t : clients) {
                    t.join();
                }
                assertThat(failures).isEmpty();
            } finally {
                server.close();
            }
            assertThat(store.compactions()).as("compactions during the run").isPositive();
        }
        for (Map.Entry<String, List<Op>> key : history.entrySet()) {
            if (!RegisterChecker.linearizable(key.getValue())) {
                Path file = write(key.getKey(), key.getValue());
                throw new AssertionError(Reliability.seed() + ": the history of "
                        + key.getKey() + " is not linearizable; it is in " + file);
            }
        }
    }

    private static void run(InetSocketAddress address, int id, Random random, Map<String, List<Op>> history)
            throws Exception {
        try (KvsClient client = KvsClient.connect(address)) {
            for (int i = 0; i < OPS; i++) {
                String key = "key" + random.nextInt(KEYS);
                int dice = random.nextInt(10);
                long start = System.nanoTime();
                Op op;
                if (dice < 5) {
                    String read = client.get(key).orElse(null);
                    op = Op.get(read, start, System.nanoTime());
                } else if (dice < 9) {
                    String value = "c" + id + "-" + i + "-" + "x".repeat(random.nextInt(64));
                    client.set(key, value);
                    op = Op.set(value, start, System.nanoTime());
                } else {
                    boolean found = true;
                    try {
                        client.remove(key);
                    } catch (KeyNotFoundException e) {
                        found = false;
                    }
                    op = Op.remove(found, start, System.nanoTime());
                }
                history.get(key).add(op);
            }
        }
    }

    private static Path write(String key, List<Op> ops) throws IOException {
        Path out = Reliability.historyFile("linearizability-" + key);
        StringBuilder b = new StringBuilder();
        ops.stream().sorted(java.util.Comparator.comparingLong(Op::invokedNanos))
                .forEach(op -> b.append(op).append('\n'));
        Files.writeString(out, b, StandardCharsets.UTF_8);
        return out;
    }
}
