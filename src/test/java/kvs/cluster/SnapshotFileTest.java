package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import kvs.engine.EngineOptions;
import kvs.engine.KvStore;
import kvs.engine.MvStoreEngine;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.ManualClock;
import kvs.store.Write;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of its own format: every pair of any bytes, its deadline, and the clients' last
 * writes come back; format 2 still reads; a newer format or a damaged file is refused.
 */
class SnapshotFileTest {

    @TempDir
    Path dir;

    @Test
    void pairsOfAnyBytes_andTheClientsLastWrites_roundTrip_withoutTheReservedKeys() throws Exception {
        Map<Bytes, Bytes> pairs = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            pairs.put(Bytes.wrap(new byte[] {(byte) i, (byte) (i >> 8), 0}), Bytes.wrap(new byte[] {(byte) 0xFF, (byte) i}));
        }
        pairs.put(Bytes.EMPTY, Bytes.EMPTY);
        Map<UUID, Sessions.Last> sessions = new LinkedHashMap<>();
        sessions.put(new UUID(1, 2), new Sessions.Last(7, 100, true));
        sessions.put(new UUID(-1, -1), new Sessions.Last(Long.MAX_VALUE, 1, false));
        Path file = dir.resolve("snapshot.1_10");
        try (KvStore engine = KvStore.open(dir.resolve("engine"), EngineOptions.defaults())) {
            for (Map.Entry<Bytes, Bytes> p : pairs.entrySet()) {
                engine.set(p.getKey(), p.getValue());
            }
            engine.writeAll(List.of(Write.meta(KvsStateMachine.APPLIED, Bytes.utf8("not in a snapshot"))));
            SnapshotFile.write(file, sessions, Map.of(), engine);
        }
        assertThat(SnapshotFile.sessions(file)).containsExactlyEntriesOf(sessions);
        Map<Bytes, Bytes> read = new LinkedHashMap<>();
        List<Integer> runs = new ArrayList<>();
        SnapshotFile.read(file, run -> {
            runs.add(run.size());
            for (Write.Set s : run) {
                read.put(s.key(), s.value());
            }
        });
        assertThat(read).isEqualTo(pairs);
        assertThat(runs).allMatch(n -> n <= SnapshotFile.RUN);
    }

    /** A shard's slot states go with its snapshot (format 4); a snapshot without records is written in format 3, with none. */
    @Test
    void theEnginesRecords_roundTripBesideThePairs() throws Exception {
        Bytes states = Bytes.wrap(new byte[] {1, 0, 2, 3});
        Path with = dir.resolve("snapshot.1_20");
        Path without = dir.resolve("snapshot.1_21");
        try (KvStore engine = KvStore.open(dir.resolve("engine"), EngineOptions.defaults())) {
            engine.set(Bytes.utf8("k"), Bytes.utf8("v"));
            SnapshotFile.write(with, Map.of(new UUID(3, 4), new Sessions.Last(1, 2, false)), Map.of("raft.slots", states), engine);
            SnapshotFile.write(without, Map.of(), Map.of(), engine);
        }
        assertThat(SnapshotFile.records(with)).containsExactly(Map.entry("raft.slots", states));
        assertThat(SnapshotFile.sessions(with)).containsOnlyKeys(new UUID(3, 4));
        assertThat(java.nio.file.Files.readAllBytes(without)[12]).isEqualTo((byte) 3);
        assertThat(SnapshotFile.records(without)).isEmpty();
        for (Path file : List.of(with, without)) {
            List<Bytes> keys = new ArrayList<>();
            SnapshotFile.read(file, run -> run.forEach(set -> keys.add(set.key())));
            assertThat(keys).containsExactly(Bytes.utf8("k"));
        }
    }

    @Test
    void everyKeyStored_roundTripsWithItsDeadline_thoseExpiredByTheEnginesClockToo() throws Exception {
        ManualClock clock = new ManualClock();
        long now = clock.millis();
        Path file = dir.resolve("snapshot.1_5");
        try (MvStoreEngine engine = MvStoreEngine.open(dir.resolve("engine"), EngineOptions.defaults().withClock(clock))) {
            engine.set(Bytes.utf8("expired"), Bytes.utf8("e"), now + 10);
            engine.set(Bytes.utf8("later"), Bytes.utf8("l"), now + 60_000);
            engine.set(Bytes.utf8("forever"), Bytes.utf8("f"));
            clock.advance(1000); // a member keeps "expired" until the log removes it: so does its snapshot
            SnapshotFile.write(file, Map.of(), Map.of(), engine);
        }
        List<Write.Set> read = new ArrayList<>();
        SnapshotFile.read(file, read::addAll);
        assertThat(read).extracting(Write.Set::key, Write.Set::value, Write.Set::deadline).containsExactlyInAnyOrder(
                tuple(Bytes.utf8("expired"), Bytes.utf8("e"), now + 10), tuple(Bytes.utf8("later"), Bytes.utf8("l"), now + 60_000),
                tuple(Bytes.utf8("forever"), Bytes.utf8("f"), Entry.NONE));
    }

    /** Bytes as format 2 wrote them, before keys had deadlines: pairs without deadlines. */
    @Test
    void aSnapshotOfFormat2_stillReads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("kvs-snapshot".getBytes(StandardCharsets.US_ASCII));
        bytes.writeBytes(new byte[] {2, 1}); // format 2, one client's last write:
        bytes.writeBytes(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 7, 100, 1}); // id, seq 7, index 100, not found
        bytes.writeBytes(new byte[] {1, 1, 'k', 2, 'v', '1', 1, 0, 0, 0}); // k = v1, "" = ""; the end
        Path file = dir.resolve("snapshot.1_100");
        Files.write(file, bytes.toByteArray());
        MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        assertThat(SnapshotFile.sessions(file)).containsExactly(Map.entry(new UUID(1, 2), new Sessions.Last(7, 100, true)));
        List<Write.Set> read = new ArrayList<>();
        SnapshotFile.read(file, read::addAll);
        assertThat(read).extracting(Write.Set::key, Write.Set::value, Write.Set::deadline)
                .containsExactly(tuple(Bytes.utf8("k"), Bytes.utf8("v1"), Entry.NONE), tuple(Bytes.EMPTY, Bytes.EMPTY, Entry.NONE));
    }

    @Test
    void aNewerFormat_isRefused_sayingSo_andDamageFailsTheMd5() throws Exception {
        Path file = dir.resolve("snapshot.1_1");
        try (KvStore engine = KvStore.open(dir.resolve("engine"), EngineOptions.defaults())) {
            engine.set("k", "v");
            SnapshotFile.write(file, Map.of(), Map.of(), engine);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 2] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> SnapshotFile.read(file, run -> { })).isInstanceOf(IOException.class).hasMessageContaining("MD5");
        bytes[bytes.length - 2] ^= 1;
        bytes["kvs-snapshot".length()] = (byte) (SnapshotFile.FORMAT + 1);
        Files.write(file, bytes);
        MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        assertThatThrownBy(() -> SnapshotFile.sessions(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("newer than this release reads");
        assertThatThrownBy(() -> SnapshotFile.read(file, run -> { })).isInstanceOf(IOException.class)
                .hasMessageContaining("newer than this release reads");
    }
}
