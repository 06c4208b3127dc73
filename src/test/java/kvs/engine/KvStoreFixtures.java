package kvs.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kvs.check.Dirs;
import kvs.store.Bytes;
import kvs.store.Write;

/**
 * The KvStore directories under {@code src/test/resources/upgrade/format-2/}, which
 * {@code KvStoreUpgradeTest} opens with the code of today: written by this class as of the
 * commit that added them, over that commit's code (format 2: byte keys and values, records of
 * the store's metadata, no deadlines); the README in {@code upgrade/} says how. They are never
 * written again.
 */
public final class KvStoreFixtures {

    /** The metadata record the fixtures hold, and its value. */
    static final String META_NAME = "applied";
    static final Bytes META_VALUE = Bytes.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 42});

    private KvStoreFixtures() {
    }

    /** Every key the fixtures hold, with its value: text, and bytes that are not UTF-8. */
    static Map<Bytes, Bytes> expected() {
        Map<Bytes, Bytes> pairs = new LinkedHashMap<>();
        for (int i = 0; i < 80; i++) {
            pairs.put(Bytes.utf8(String.format("key:%03d", i)), Bytes.utf8("value " + i + " " + "x".repeat(i % 13)));
        }
        pairs.put(Bytes.wrap(new byte[] {0, (byte) 0xff, (byte) 0x80, 7}), Bytes.wrap(new byte[] {(byte) 0xc3, 0, (byte) 0xfe}));
        pairs.put(Bytes.utf8("empty"), Bytes.utf8(""));
        pairs.put(Bytes.utf8("counter"), Bytes.utf8("42"));
        pairs.put(Bytes.utf8("big"), Bytes.utf8("0123456789abcdef".repeat(1024))); // 16 KiB
        pairs.put(Bytes.utf8("mset:a"), Bytes.utf8("1"));
        pairs.put(Bytes.utf8("mset:b"), Bytes.utf8("2"));
        return pairs;
    }

    /** Keys the writes below set and then removed: absent after an upgrade. */
    static List<Bytes> removed() {
        return List.of(Bytes.utf8("gone"), Bytes.utf8("key:500"), Bytes.utf8("mset:gone"));
    }

    /** Writes {@link #expected} and the metadata record, with overwrites, removes and transactions along the way. */
    static void write(KvStore store) throws Exception {
        store.set(Bytes.utf8("gone"), Bytes.utf8("soon removed"));
        store.set(Bytes.utf8("key:500"), Bytes.utf8("removed too"));
        store.set(Bytes.utf8("mset:gone"), Bytes.utf8("removed by a transaction"));
        for (int round = 0; round < 3; round++) { // overwrites, so the logs hold stale records
            store.set(Bytes.utf8("counter"), Bytes.utf8(Integer.toString(40 + round)));
        }
        store.writeAll(List.of(Write.meta(META_NAME, Bytes.utf8("stale")), Write.meta("dropped", Bytes.utf8("x"))));
        for (Map.Entry<Bytes, Bytes> e : expected().entrySet()) {
            if (!e.getKey().startsWith(Bytes.utf8("mset:"))) {
                store.set(e.getKey(), e.getValue());
            }
        }
        store.transact(view -> { // a transaction's records: all but the last marked CONTINUED
            view.set(Bytes.utf8("mset:a"), Bytes.utf8("1"));
            view.remove(Bytes.utf8("mset:gone"));
            view.set(Bytes.utf8("mset:b"), Bytes.utf8("2"));
            return null;
        });
        store.writeAll(List.of(Write.meta(META_NAME, META_VALUE), Write.meta("dropped", null),
                Write.remove(Bytes.utf8("gone")), Write.remove(Bytes.utf8("key:500"))));
    }

    /**
     * Writes the fixtures into {@code args[0]}: {@code kvs} (closed: every log file hinted) and
     * {@code kvs-unclosed} (copied while open: its last log file has no hint).
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        EngineOptions small = EngineOptions.defaults().withDurability(Durability.ALWAYS).withMaxFileSize(1 << 10)
                .withCompactionThreshold(1L << 40);
        try (KvStore store = KvStore.open(out.resolve("kvs"), small)) {
            write(store);
        }
        try (KvStore store = KvStore.open(out.resolve("kvs-unclosed-src"), small)) {
            write(store);
            Dirs.copyTree(out.resolve("kvs-unclosed-src"), out.resolve("kvs-unclosed"));
            Files.delete(out.resolve("kvs-unclosed").resolve("LOCK"));
        }
        Dirs.deleteTree(out.resolve("kvs-unclosed-src"));
    }
}
