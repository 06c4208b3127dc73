package kvs.resp;

import static kvs.resp.RespServerTest.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.server.KvsServer;
import kvs.server.TestServer;
import kvs.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No reader ever sees part of an EXEC or an MSET: writers run transactions that move amounts
 * between {@value #ACCOUNTS} accounts holding a fixed total (and rename an account away and back),
 * and MSETs that set two keys to one value, while readers check the total with MGET over RESP and
 * the kvs protocol's mget, and with an EXEC of GETs (its reads see no other client's writes
 * mid-way); check that SCAN lists exactly the accounts (and the pair); and that an MGET of the pair
 * finds one value. Any wrong total, listing or pair fails it.
 * <p>
 * Checked to fail (2026-12-05, 2 cores): with the engines publishing a transaction's records key
 * by key (LogWriter and MvStoreEngine without their {@code Publication} write lock), MGET saw
 * totals off by a moved amount, and pairs of different values, on both engines, in every run.
 */
class RespIsolationTest {

    private static final int ACCOUNTS = 8;
    private static final int START = 1000;
    private static final int TOTAL = ACCOUNTS * START;
    private static final int TRANSFERS = 1500;
    private static final Pattern INTEGER = Pattern.compile("\\$\\d+\r\n(-?\\d+)\r\n|:(-?\\d+)\r\n");

    @TempDir
    Path dir;

    private TestServer fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String call(Socket s, String... args) throws IOException {
        s.getOutputStream().write(cmd(args).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return RespServerTest.readReply(s);
    }

    private static String account(int i) {
        return "acct:" + i;
    }

    /** The sum of the integers in a reply (bulk strings or integers). */
    private static long sum(String reply) {
        long total = 0;
        Matcher m = INTEGER.matcher(reply);
        while (m.find()) {
            total += Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return total;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void readersNeverSeePartOfATransaction(String engine) throws Exception {
        Store store = engine.equals("kvs") ? KvStore.open(dir) : MvStoreEngine.open(dir);
        fixture = TestServer.kvsAndResp(store, new RespProtocol.Settings("test", Map.of()), KvsServer.Options.defaults());
        Socket setup = fixture.connect(1);
        String[] accounts = new String[ACCOUNTS];
        List<String> mset = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = account(i);
            mset.add(accounts[i]);
            mset.add(Integer.toString(START));
        }
        assertThat(call(setup, mset.toArray(String[]::new))).isEqualTo("+OK\r\n");

        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            long seed = w;
            writers.add(Thread.ofPlatform().start(() -> write(seed, wrong)));
        }
        writers.add(Thread.ofPlatform().start(() -> msets(wrong)));
        threads.add(Thread.ofPlatform().start(() -> read(writing, wrong, reads, s -> {
            String reply = call(s, "MGET", "pair:a", "pair:b");
            String[] lines = reply.split("\r\n");
            return lines.length == 1 || lines[1].equals("$-1") || lines[2].equals(lines[4]) ? null : "MGET of an MSET's pair " + reply;
        })));
        threads.add(Thread.ofPlatform().start(() -> read(writing, wrong, reads, s -> {
            List<String> mget = new ArrayList<>(List.of("MGET"));
            mget.addAll(List.of(accounts));
            String reply = call(s, mget.toArray(String[]::new));
            return sum(reply) == TOTAL ? null : "MGET " + reply;
        })));
        KvsClient kvs = fixture.client(KvsClient.Options.defaults());
        threads.add(Thread.ofPlatform().start(() -> read(writing, wrong, reads, s -> {
            try {
                long total = 0;
                for (Optional<String> v : kvs.getAll(accounts)) {
                    total += Long.parseLong(v.orElseThrow());
                }
                return total == TOTAL ? null : "kvs-protocol mget, total " + total;
            } catch (KvsException e) {
                return e.toString();
            }
        })));
        threads.add(Thread.ofPlatform().start(() -> read(writing, wrong, reads, s -> {
            call(s, "MULTI");
            for (String a : accounts) {
                call(s, "GET", a);
            }
            String reply = call(s, "EXEC");
            return sum(reply) == TOTAL ? null : "EXEC of GETs " + reply;
        })));
        threads.add(Thread.ofPlatform().start(() -> read(writing, wrong, reads, s -> {
            Set<String> listed = scan(s);
            listed.removeAll(Set.of("pair:a", "pair:b"));
            return listed.equals(Set.of(accounts)) ? null : "SCAN " + listed;
        })));
        for (Thread t : writers) {
            t.join();
        }
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(wrong).isEmpty();
        assertThat(reads.get()).as("reads made while the writers ran").isGreaterThan(100);
        List<String> mget = new ArrayList<>(List.of("MGET"));
        mget.addAll(List.of(accounts));
        assertThat(sum(call(setup, mget.toArray(String[]::new)))).isEqualTo(TOTAL);
    }

    /** Moves random amounts between random accounts, and renames one away and back, each as one EXEC. */
    private void write(long seed, ConcurrentLinkedQueue<String> wrong) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Socket s = fixture.connect(1)) {
            for (int i = 0; i < TRANSFERS; i++) {
                int from = random.nextInt(ACCOUNTS);
                int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                String tmp = "tmp:" + seed;
                call(s, "MULTI");
                if (i % 10 == 0) {
                    call(s, "RENAME", account(from), tmp);
                    call(s, "RENAME", tmp, account(from));
                } else {
                    String amount = Integer.toString(1 + random.nextInt(START));
                    call(s, "DECRBY", account(from), amount);
                    call(s, "INCRBY", account(to), amount);
                }
                String reply = call(s, "EXEC");
                if (!reply.startsWith("*2\r\n") || reply.contains("\r\n-")) {
                    wrong.add("EXEC " + reply);
                }
            }
        } catch (IOException | RuntimeException e) {
            wrong.add(e.toString());
        }
    }

    /** Sets two keys to the same value with one MSET, again and again. */
    private void msets(ConcurrentLinkedQueue<String> wrong) {
        try (Socket s = fixture.connect(1)) {
            for (int i = 0; i < TRANSFERS; i++) {
                String v = Integer.toString(i);
                call(s, "MSET", "pair:a", v, "pair:b", v);
            }
        } catch (IOException | RuntimeException e) {
            wrong.add(e.toString());
        }
    }

    @FunctionalInterface
    private interface Check {
        /** What was wrong with one read, or null. */
        String read(Socket s) throws IOException;
    }

    private void read(AtomicBoolean writing, ConcurrentLinkedQueue<String> wrong, AtomicLong reads, Check check) {
        try (Socket s = fixture.connect(1)) {
            while (writing.get()) {
                String problem = check.read(s);
                reads.incrementAndGet();
                if (problem != null) {
                    wrong.add(problem);
                }
            }
        } catch (IOException | RuntimeException e) {
            wrong.add(e.toString());
        }
    }

    /** The keys a whole SCAN lists. */
    private static Set<String> scan(Socket s) throws IOException {
        Set<String> keys = new HashSet<>();
        String cursor = "0";
        do {
            String reply = call(s, "SCAN", cursor, "COUNT", "3");
            String[] lines = reply.split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.length; i += 2) {
                keys.add(lines[i]);
            }
        } while (!cursor.equals("0"));
        return keys;
    }
}
