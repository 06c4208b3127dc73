package kvs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import kvs.KvsException;
import kvs.command.Dispatcher;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.protocol.server.Batch;
import kvs.security.Access;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Outcome;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;
import org.junit.jupiter.api.Test;

class DispatcherTest {

    /** A map that records each group of writes it is handed. */
    private static final class RecordingStore implements Store {
        final Map<Bytes, Bytes> map = new HashMap<>();
        final Watches watches = new Watches();
        final List<List<String>> groups = new ArrayList<>();
        /** What getAll throws; null: it reads. */
        KvsException readFailure;

        @Override
        public void writeAll(List<? extends Write<?>> writes) {
            List<String> group = new ArrayList<>();
            for (Write<?> w : writes) {
                switch (w) {
                    case Write.Set s -> {
                        group.add("set " + s.key().utf8());
                        map.put(s.key(), s.value());
                        s.settle(Outcome.done());
                    }
                    case Write.Remove r -> {
                        group.add("rm " + r.key().utf8());
                        r.settle(Outcome.removed(map.remove(r.key()) != null));
                    }
                    case Write.Txn<?> t -> throw new AssertionError("no transactions here");
                    case Write.RemoveExpired r -> throw new AssertionError("no expiry here");
                    case Write.Meta m -> throw new AssertionError("no metadata here");
                }
            }
            groups.add(group);
        }

        @Override
        public Bytes get(Bytes key) {
            return map.get(key);
        }

        @Override
        public Entry entry(Bytes key) {
            Bytes v = map.get(key);
            return v == null ? null : Entry.of(v);
        }

        @Override
        public List<Bytes> getAll(List<Bytes> keys) throws KvsException {
            if (readFailure != null) {
                throw readFailure;
            }
            return keys.stream().map(map::get).toList();
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
        public Iterator<Bytes> keys() {
            return map.keySet().iterator();
        }

        @Override
        public Bytes meta(String name) {
            return null;
        }

        @Override
        public long size() {
            return map.size();
        }

        @Override
        public void sync() {
        }

        @Override
        public StoreFigures figures() {
            return new StoreFigures("map", "never", map.size(), 0, 0, 0, 0, 0, 0, 0, 0, null);
        }

        @Override
        public void close() {
        }
    }

    private static void add(Batch batch, Request r) {
        add(batch, Codec.encode(r));
    }

    private static void add(Batch batch, byte[] body) {
        batch.addFrames(Frames.frame(body), 0, 1);
    }

    @Test
    void runsOfWrites_goAsOneGroup_andAReadSeesTheWritesBeforeIt() {
        RecordingStore engine = new RecordingStore();
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, engine);
        // one run of frames, as a connection reads them
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (byte[] body : List.of(Codec.encode(new Request.Set("a", "1")), Codec.encode(new Request.Set("b", "2")),
                Codec.encode(new Request.Get("a")), Codec.encode(new Request.Set("a", "3")),
                new byte[] {(byte) 0xff}, // malformed: answered in its place
                Codec.encode(new Request.Remove("b")), Codec.encode(new Request.Remove("b")), Codec.encode(new Request.Get("a")))) {
            run.writeBytes(Frames.frame(body));
        }
        batch.addFrames(run.toByteArray(), 0, 8);
        assertThat(new Dispatcher(engine).execute(batch.ops, 0)).isEqualTo(8);

        assertThat(engine.groups).containsExactly(List.of("set a", "set b"), List.of("set a", "rm b", "rm b"));
        assertThat(batch.reply(0)).isEqualTo(new Response.Ok());
        assertThat(batch.reply(1)).isEqualTo(new Response.Ok());
        assertThat(batch.reply(2)).isEqualTo(new Response.Value("1"));
        assertThat(batch.reply(3)).isEqualTo(new Response.Ok());
        assertThat(batch.reply(4)).isInstanceOfSatisfying(Response.Error.class, e -> assertThat(e.is(ErrorCode.MALFORMED)).isTrue());
        assertThat(batch.reply(5)).isEqualTo(new Response.Ok());
        assertThat(batch.reply(6)).isEqualTo(new Response.Error(ErrorCode.KEY_NOT_FOUND, "Key not found"));
        assertThat(batch.reply(7)).isEqualTo(new Response.Value("3"));
    }

    @Test
    void largeValuesRead_endAPartOfTheBatch_soItsRepliesCanGoFirst() {
        RecordingStore engine = new RecordingStore();
        String big = "v".repeat(Dispatcher.REPLY_BYTES / 2 + 1);
        engine.map.put(Bytes.utf8("big"), Bytes.utf8(big));
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, engine);
        add(batch, new Request.Get("big"));
        add(batch, new Request.Set("a", "1"));
        add(batch, new Request.Get("big"));
        add(batch, new Request.Get("a"));
        Dispatcher dispatcher = new Dispatcher(engine);
        assertThat(dispatcher.execute(batch.ops, 0)).as("the part up to the second large value").isEqualTo(3);
        assertThat(batch.reply(1)).as("the write before the stop is done").isEqualTo(new Response.Ok());
        assertThat(dispatcher.execute(batch.ops, 3)).isEqualTo(4);
        assertThat(batch.reply(0)).isEqualTo(new Response.Value(big));
        assertThat(batch.reply(2)).isEqualTo(new Response.Value(big));
        assertThat(batch.reply(3)).isEqualTo(new Response.Value("1"));
    }

    @Test
    void anMget_endsARunOfWrites_andSeesIt_andAFailedReadIsItsReply() {
        RecordingStore engine = new RecordingStore();
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, engine);
        add(batch, new Request.Set("a", "1"));
        add(batch, new Request.GetAll(List.of(Bytes.utf8("a"), Bytes.utf8("b"))));
        add(batch, new Request.Set("b", "2"));
        Dispatcher dispatcher = new Dispatcher(engine);
        assertThat(dispatcher.execute(batch.ops, 0)).isEqualTo(3);
        assertThat(engine.groups).containsExactly(List.of("set a"), List.of("set b"));
        assertThat(batch.reply(1)).isEqualTo(new Response.Values(Arrays.asList(Bytes.utf8("1"), null)));
        assertThat(batch.kind(1)).isEqualTo("mget");

        batch.clear();
        engine.readFailure = new KvsException("the disk failed");
        add(batch, new Request.GetAll(List.of(Bytes.utf8("a"))));
        assertThat(dispatcher.execute(batch.ops, 0)).isEqualTo(1);
        assertThat(batch.reply(0)).isEqualTo(new Response.Error(ErrorCode.INTERNAL, "the disk failed"));
    }

    @Test
    void largeValuesReadByAnMget_endAPartOfTheBatch() {
        RecordingStore engine = new RecordingStore();
        Bytes big = Bytes.utf8("v".repeat(Dispatcher.REPLY_BYTES / 2 + 1));
        engine.map.put(Bytes.utf8("big"), big);
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of, engine);
        add(batch, new Request.GetAll(List.of(Bytes.utf8("big"), Bytes.utf8("big"))));
        add(batch, new Request.Get("big"));
        Dispatcher dispatcher = new Dispatcher(engine);
        assertThat(dispatcher.execute(batch.ops, 0)).as("the mget's values reached the reply bytes").isEqualTo(1);
        assertThat(batch.reply(0)).isEqualTo(new Response.Values(List.of(big, big)));
        assertThat(dispatcher.execute(batch.ops, 1)).isEqualTo(2);
    }
}
