package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import kvs.store.Bytes;
import kvs.store.Store;
import kvs.store.Transaction;
import kvs.store.Write;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Store#getAll} never sees part of a transaction, on both engines: writer threads run
 * transactions that move amounts between a fixed set of accounts, keeping their total, while
 * reader threads read every account with one getAll and check the total each time.
 * <p>
 * A test that can fail: with the publication's write lock taken out (LogWriter.write's and
 * MvStoreEngine.run's {@code publication.begin()} replaced by a stamp of 0, so readers never
 * wait nor retry), it failed on both engines in each of five runs, with 107 to 10,518 wrong
 * totals a run (of 23,000 to 550,000 reads); with the lock, never.
 * Each engine's run takes a second or two at most.
 */
class GetAllIsolationTest {

    private static final int ACCOUNTS = 8;
    private static final long EACH = 1000;
    private static final int WRITERS = 4;
    private static final int TRANSFERS = 500;
    private static final int READERS = 2;

    static Stream<Arguments> engines() {
        return Stream.of(
                Arguments.of("kvs", (EngineContractTest.Opener) KvStore::open),
                Arguments.of("mvstore", (EngineContractTest.Opener) MvStoreEngine::open));
    }

    @TempDir
    Path dir;

    private static Bytes account(int i) {
        return Bytes.utf8("account" + i);
    }

    private static long amount(Bytes value) {
        return Long.parseLong(value.utf8());
    }

    /**
     * Moves a random amount from one account to each of two others (three records, published
     * together), within what the first holds.
     */
    private static Transaction<Object> transfer(Random random) {
        int from = random.nextInt(ACCOUNTS);
        int step1 = 1 + random.nextInt(ACCOUNTS - 2);
        int step2 = step1 + 1 + random.nextInt(ACCOUNTS - 1 - step1); // 1 <= step1 < step2 < ACCOUNTS: three accounts
        long want = 1 + random.nextInt(100);
        return view -> {
            long held = amount(view.get(account(from)));
            long each = Math.min(want, held / 2);
            view.set(account(from), Bytes.utf8(Long.toString(held - 2 * each)));
            for (int step : new int[] {step1, step2}) {
                Bytes to = account((from + step) % ACCOUNTS);
                view.set(to, Bytes.utf8(Long.toString(amount(view.get(to)) + each)));
            }
            return null;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void getAll_neverSeesPartOfATransaction(String name, EngineContractTest.Opener opener) throws Exception {
        List<Bytes> accounts = new ArrayList<>();
        List<Write<?>> opening = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(account(i));
            opening.add(Write.set(account(i), Bytes.utf8(Long.toString(EACH))));
        }
        AtomicInteger writersLeft = new AtomicInteger(WRITERS);
        AtomicLong reads = new AtomicLong();
        AtomicLong wrongTotals = new AtomicLong();
        try (Store s = opener.open(dir, EngineOptions.defaults().withDurability(Durability.NEVER))) {
            s.writeAll(opening);
            EngineContractTest.runAll(WRITERS + READERS, false, t -> {
                if (t < WRITERS) {
                    Random random = new Random(t);
                    try {
                        for (int i = 0; i < TRANSFERS; i++) {
                            s.transact(transfer(random));
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                } else {
                    do {
                        long total = 0;
                        for (Bytes v : s.getAll(accounts)) {
                            total += amount(v);
                        }
                        if (total != ACCOUNTS * EACH) {
                            wrongTotals.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    } while (writersLeft.get() > 0);
                }
            });
            long total = 0;
            for (Bytes v : s.getAll(accounts)) {
                total += amount(v);
            }
            assertThat(total).isEqualTo(ACCOUNTS * EACH);
        }
        assertThat(reads.get()).isPositive();
        assertThat(wrongTotals.get()).as("getAll totals other than %d, of %d reads", ACCOUNTS * EACH, reads.get()).isZero();
    }
}
