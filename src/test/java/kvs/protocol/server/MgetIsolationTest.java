package kvs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.pool.VirtualThreadPool;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Bytes;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An mget over the kvs protocol never sees part of a store transaction, on either engine: writer
 * threads move amounts between {@value #KEYS} keys with {@link Store#transact} on the server's
 * store, so the keys always hold {@value #TOTAL} together, while reader threads mget every key
 * over their own connections and check the total. Every count is fixed.
 *
 * <p>Checked that it fails on a broken store: with KvStore's and MvStoreEngine's {@code getAll}
 * reading the keys outside their {@code Publication} (the read lambda called directly), it
 * failed on both engines in 5 runs of 5 (2 cores), readers seeing totals such as 7960 and 8020.
 */
class MgetIsolationTest {

    private static final int KEYS = 8;
    private static final long TOTAL = 1_000 * KEYS;
    private static final int WRITERS = 2;
    private static final int TRANSFERS = 3_000;
    private static final int READERS = 2;
    private static final int READS = 3_000;

    /** Opens an engine in a directory. */
    interface Opener {
        Store open(Path dir) throws KvsException;
    }

    static Stream<Arguments> engines() {
        return Stream.of(Arguments.of("kvs", (Opener) KvStore::open), Arguments.of("mvstore", (Opener) MvStoreEngine::open));
    }

    @TempDir
    Path dir;

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Bytes key(int i) {
        return Bytes.utf8("account:" + i);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void anMget_neverSeesPartOfATransaction(String name, Opener engine) throws Exception {
        server = TestServer.start(engine.open(dir), new VirtualThreadPool(READERS + 1), List.of(KvsProtocol.INSTANCE),
                KvsServer.Options.defaults());
        Store store = server.engine();
        List<Bytes> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(key(i));
            store.set(key(i), Bytes.utf8(Long.toString(TOTAL / KEYS)));
        }
        List<KvsClient> clients = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            clients.add(server.client(KvsClient.Options.defaults()));
        }

        CyclicBarrier start = new CyclicBarrier(WRITERS + READERS);
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            SplittableRandom random = new SplittableRandom(w);
            tasks.add(() -> {
                start.await();
                for (int t = 0; t < TRANSFERS; t++) {
                    int from = random.nextInt(KEYS);
                    int to = (from + 1 + random.nextInt(KEYS - 1)) % KEYS;
                    transfer(store, key(from), key(to), 1 + random.nextInt(50));
                }
                return List.of();
            });
        }
        for (KvsClient client : clients) {
            tasks.add(() -> {
                start.await();
                List<String> wrong = new ArrayList<>();
                for (int r = 0; r < READS; r++) {
                    List<Optional<Bytes>> values = client.getAll(keys);
                    long sum = 0;
                    for (Optional<Bytes> v : values) {
                        sum += Long.parseLong(v.orElseThrow().utf8());
                    }
                    if (sum != TOTAL && wrong.size() < 5) {
                        wrong.add("read " + r + " saw a total of " + sum + ": " + values);
                    }
                }
                return wrong;
            });
        }

        List<String> wrong = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
        try {
            for (Future<List<String>> f : threads.invokeAll(tasks)) {
                wrong.addAll(f.get());
            }
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(wrong).as("mgets that saw part of a transfer").isEmpty();
        long sum = 0;
        for (Bytes v : store.getAll(keys)) {
            sum += Long.parseLong(v.utf8());
        }
        assertThat(sum).isEqualTo(TOTAL);
    }

    /** Moves up to {@code amount} from {@code from} to {@code to} in one transaction (what {@code from} holds, at most). */
    private static void transfer(Store store, Bytes from, Bytes to, long amount) throws KvsException {
        store.transact(view -> {
            long a = Long.parseLong(view.get(from).utf8());
            long b = Long.parseLong(view.get(to).utf8());
            long moved = Math.min(a, amount);
            view.set(from, Bytes.utf8(Long.toString(a - moved)));
            view.set(to, Bytes.utf8(Long.toString(b + moved)));
            return moved;
        });
    }
}
