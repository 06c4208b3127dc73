package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.internal.GroupWriter;
import kvs.internal.Write;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.Access;
import org.junit.jupiter.api.Test;

class DispatcherTest {

    /** A map that records each group of writes it is handed. */
    private static final class RecordingEngine implements KvsEngine, GroupWriter {
        final Map<String, String> map = new HashMap<>();
        final List<List<String>> groups = new ArrayList<>();

        @Override
        public void writeAll(List<Write> writes) {
            List<String> group = new ArrayList<>();
            for (Write w : writes) {
                group.add((w.isRemove() ? "rm " : "set ") + w.key());
                if (!w.isRemove()) {
                    map.put(w.key(), w.value());
                } else if (map.remove(w.key()) == null) {
                    w.fail(new KeyNotFoundException());
                }
            }
            groups.add(group);
        }

        @Override
        public void set(String key, String value) {
            throw new AssertionError("writes go through writeAll");
        }

        @Override
        public Optional<String> get(String key) {
            return Optional.ofNullable(map.get(key));
        }

        @Override
        public void remove(String key) {
            throw new AssertionError("writes go through writeAll");
        }

        @Override
        public void close() {
        }
    }

    private static void add(Batch batch, Request r) {
        byte[] body = Codec.encode(r);
        batch.addFrame(body, 0, body.length);
    }

    @Test
    void runsOfWrites_goAsOneGroup_andAReadSeesTheWritesBeforeIt() {
        RecordingEngine engine = new RecordingEngine();
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of);
        add(batch, new Request.Set("a", "1"));
        add(batch, new Request.Set("b", "2"));
        add(batch, new Request.Get("a"));
        add(batch, new Request.Set("a", "3"));
        batch.addFrame(new byte[] {(byte) 0xff}, 0, 1); // malformed: answered in its place
        add(batch, new Request.Remove("b"));
        add(batch, new Request.Remove("b"));
        add(batch, new Request.Get("a"));
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
        RecordingEngine engine = new RecordingEngine();
        String big = "v".repeat(Dispatcher.REPLY_CHARS / 2 + 1);
        engine.map.put("big", big);
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of);
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
    void anEngineWithoutGroupWrites_getsEachWriteInTurn() throws Exception {
        Map<String, String> map = new HashMap<>();
        KvsEngine plain = new KvsEngine() {
            @Override
            public void set(String key, String value) {
                map.put(key, value);
            }

            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(map.get(key));
            }

            @Override
            public void remove(String key) throws KeyNotFoundException {
                if (map.remove(key) == null) {
                    throw new KeyNotFoundException();
                }
            }

            @Override
            public void close() {
            }
        };
        Batch batch = new Batch(Access.defaults().guard("test"), Map::of);
        add(batch, new Request.Set("a", "1"));
        add(batch, new Request.Remove("x"));
        add(batch, new Request.Get("a"));
        assertThat(new Dispatcher(plain).execute(batch.ops, 0)).isEqualTo(3);
        assertThat(batch.reply(0)).isEqualTo(new Response.Ok());
        assertThat(batch.reply(1)).isEqualTo(new Response.Error(ErrorCode.KEY_NOT_FOUND, "Key not found"));
        assertThat(batch.reply(2)).isEqualTo(new Response.Value("1"));
    }
}
