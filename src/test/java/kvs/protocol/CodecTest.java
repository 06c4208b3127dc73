package kvs.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import kvs.store.Bytes;
import kvs.store.WriteId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The codec and framing, from byte arrays. */
class CodecTest {

    private static final List<Request> REQUESTS = List.of(
            new Request.Get("k"), new Request.Remove("k"), new Request.Set("k", "v"),
            new Request.Set("", ""), new Request.Set("ключ 🔑", "значение ✓"),
            new Request.Set("big", "x".repeat(70_000)), new Request.Get("y".repeat(300)),
            new Request.Ping(), new Request.Stats(), new Request.Auth("pässword"), new Request.MoveSlots(0, 2, 1000),
            new Request.AddShard(List.of("n4=127.0.0.1:4004,127.0.0.1:5004,127.0.0.1:6004", "n1", "n2")), new Request.Rebalance(),
            new Request.Set(b("k"), b("v"), new WriteId(new UUID(1, 2), 7)), new Request.Remove(b("k"), new WriteId(UUID.randomUUID(), 0)),
            new Request.Set(b("k"), b("v"), new WriteId(new UUID(-1, -1), Long.MAX_VALUE)),
            new Request.Set(Bytes.wrap(new byte[] {(byte) 0xFF, 0, '\r', '\n'}), Bytes.wrap(new byte[] {(byte) 0x80}), null),
            new Request.Get(Bytes.wrap(new byte[] {(byte) 0xC3, '('})), new Request.Remove(Bytes.EMPTY, null),
            new Request.Set(b("k"), b("v"), new Expiry.After(30_000), null),
            new Request.Set(b("k"), b("v"), new Expiry.After(Long.MAX_VALUE), new WriteId(new UUID(1, 2), 8)),
            new Request.Set(b("k"), b("v"), new Expiry.At(1), null), new Request.Set(b("k"), b("v"), new Expiry.At(Long.MAX_VALUE), null),
            new Request.Ttl(b("k")), new Request.Ttl(Bytes.wrap(new byte[] {(byte) 0xFF})),
            new Request.Expire(b("k"), new Expiry.After(0)), new Request.Expire(b("k"), new Expiry.At(1_767_225_630_000L)),
            new Request.Persist(b("k")), new Request.GetAll(List.of(b("k"))),
            new Request.GetAll(List.of(b("a"), Bytes.EMPTY, Bytes.wrap(new byte[] {(byte) 0xFF, 0}), b("a"), b("ключ 🔑"))));
    private static final List<Response> RESPONSES = List.of(
            new Response.Ok(), new Response.Value("v"), Response.Value.ABSENT, new Response.Value(""),
            new Response.Value("z".repeat(100_000)), new Response.Value(Bytes.wrap(new byte[] {0, (byte) 0xFE, (byte) 0xFF})),
            new Response.Error(ErrorCode.KEY_NOT_FOUND, "Key not found"),
            new Response.Error("some_future_code", "a code this client does not know"),
            new Response.Error(ErrorCode.NOT_LEADER.wireName(), "not the leader", "127.0.0.1:4001"),
            new Response.Error(ErrorCode.NOT_LEADER, "not the leader; no leader is known now"),
            new Response.Stats(Map.of()), new Response.Stats(statsOf("version", "0.1.0", "keys", 3L, "negative", -1L)),
            Response.Ttl.ABSENT, Response.Ttl.NO_DEADLINE, Response.Ttl.expiring(1_767_225_630_000L, 30_000),
            Response.Ttl.expiring(Long.MAX_VALUE, 0), Response.Changed.TRUE, Response.Changed.FALSE,
            new Response.Values(List.of(b("v"))), new Response.Values(List.of()),
            new Response.Values(Arrays.asList(b("v"), null, Bytes.EMPTY, Bytes.wrap(new byte[] {(byte) 0xC3, '('}), null)));

    private static Map<String, Object> statsOf(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Bytes b(String text) {
        return Bytes.utf8(text);
    }

    /** Bytes that are not UTF-8 go as CBOR byte strings (major type 2); a server takes text or bytes alike. */
    @Test
    void keysAndValuesThatAreNotText_goAsByteStrings_andEitherFormDecodes() throws Exception {
        Bytes key = Bytes.wrap(new byte[] {(byte) 0xFF});
        assertThat(Codec.encode(new Request.Set(key, Bytes.wrap(new byte[] {0, (byte) 0x80}), null)))
                .isEqualTo(hex("a3 626f70 63736574 636b6579 41ff 6576616c7565 42 0080"));
        assertThat(Codec.encode(new Response.Value(Bytes.wrap(new byte[] {(byte) 0xC3, '('}))))
                .isEqualTo(hex("a2 626f6b f5 6576616c7565 42 c328"));
        // text sent as a byte string is the same key and value
        assertThat(Codec.decodeRequest(hex("a3 626f70 63736574 636b6579 4161 6576616c7565 4162")))
                .isEqualTo(new Request.Set("a", "b"));
        assertThat(Codec.decodeResponse(hex("a2 626f6b f5 6576616c7565 4162"))).isEqualTo(new Response.Value("b"));
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void everyMessage_roundTrips() throws Exception {
        for (Request r : REQUESTS) {
            assertThat(Codec.decodeRequest(Codec.encode(r))).isEqualTo(r);
        }
        for (Response r : RESPONSES) {
            assertThat(Codec.decodeResponse(Codec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void encoding_isExactlyTheDocumentedBytes() {
        // docs/PROTOCOL.md shows these
        assertThat(Codec.encode(new Request.Get("a"))).isEqualTo(hex("a2 626f70 63676574 636b6579 6161"));
        assertThat(Codec.encode(new Request.Set("a", "b")))
                .isEqualTo(hex("a3 626f70 63736574 636b6579 6161 6576616c7565 6162"));
        assertThat(Codec.encode(new Request.Remove("a"))).isEqualTo(hex("a2 626f70 62726d 636b6579 6161"));
        assertThat(Codec.encode(new Response.Ok())).isEqualTo(hex("a1 626f6b f5"));
        assertThat(Codec.encode(Response.Value.ABSENT)).isEqualTo(hex("a2 626f6b f5 6576616c7565 f6"));
        assertThat(Codec.encode(new Response.Value("b"))).isEqualTo(hex("a2 626f6b f5 6576616c7565 6162"));
        assertThat(Codec.encode(new Response.Error(ErrorCode.BAD_REQUEST, "x")))
                .isEqualTo(hex("a3 626f6b f4 64636f6465 6b6261645f72657175657374 636d7367 6178"));
        assertThat(Codec.encode(new Response.Error(ErrorCode.NOT_LEADER.wireName(), "x", "h:1")))
                .isEqualTo(hex("a4 626f6b f4 64636f6465 6a6e6f745f6c6561646572 636d7367 6178 666c6561646572 63683a31"));
        assertThat(Codec.encode(new Request.Ping())).isEqualTo(hex("a1 626f70 6470696e67"));
        assertThat(Codec.encode(new Request.Auth("pw"))).isEqualTo(hex("a2 626f70 6461757468 6870617373776f7264 627077"));
        assertThat(Codec.encode(new Request.Stats())).isEqualTo(hex("a1 626f70 657374617473"));
        assertThat(Codec.encode(new Response.Stats(statsOf("keys", 3L, "engine", "kvs"))))
                .isEqualTo(hex("a2 626f6b f5 657374617473 a2 646b657973 03 66656e67696e65 636b7673"));
        WriteId id = new WriteId(new UUID(0x0001020304050607L, 0x08090a0b0c0d0e0fL), 1);
        assertThat(Codec.encode(new Request.Set(b("a"), b("b"), id))).isEqualTo(hex(
                "a5 626f70 63736574 636b6579 6161 6576616c7565 6162 63636964 50 000102030405060708090a0b0c0d0e0f 63736571 01"));
        assertThat(Codec.encode(new Request.Remove(b("a"), new WriteId(id.client(), 300)))).isEqualTo(hex(
                "a4 626f70 62726d 636b6579 6161 63636964 50 000102030405060708090a0b0c0d0e0f 63736571 19012c"));
        // a 24-byte key takes the one-byte length form: 0x78 0x18
        assertThat(Codec.encode(new Request.Get("k".repeat(24)))).startsWith(hex("a2 626f70 63676574 636b6579 7818"));
    }

    /** docs/PROTOCOL.md, "Expiry", shows these. */
    @Test
    void expiryMessages_areExactlyTheDocumentedBytes() throws Exception {
        Map<Object, String> documented = new LinkedHashMap<>();
        documented.put(new Request.Set(b("a"), b("b"), new Expiry.After(30_000), null),
                "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 197530");
        documented.put(new Request.Set(b("a"), b("b"), new Expiry.At(1_767_225_630_000L), null),
                "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 68646561646c696e65 1b0000019b76db1d30");
        documented.put(new Request.Ttl(b("a")), "a2 626f70 6374746c 636b6579 6161");
        documented.put(new Request.Expire(b("a"), new Expiry.After(30_000)), "a3 626f70 66657870697265 636b6579 6161 6374746c 197530");
        documented.put(new Request.Expire(b("a"), new Expiry.At(1_767_225_630_000L)),
                "a3 626f70 66657870697265 636b6579 6161 68646561646c696e65 1b0000019b76db1d30");
        documented.put(new Request.Persist(b("a")), "a2 626f70 6770657273697374 636b6579 6161");
        documented.put(Response.Ttl.ABSENT, "a2 626f6b f5 66657869737473 f4");
        documented.put(Response.Ttl.NO_DEADLINE, "a3 626f6b f5 66657869737473 f5 68646561646c696e65 f6");
        documented.put(Response.Ttl.expiring(1_767_225_630_000L, 30_000),
                "a4 626f6b f5 66657869737473 f5 68646561646c696e65 1b0000019b76db1d30 6374746c 197530");
        documented.put(Response.Changed.TRUE, "a2 626f6b f5 676368616e676564 f5");
        documented.put(Response.Changed.FALSE, "a2 626f6b f5 676368616e676564 f4");
        for (Map.Entry<Object, String> e : documented.entrySet()) {
            byte[] bytes = e.getKey() instanceof Request r ? Codec.encode(r) : Codec.encode((Response) e.getKey());
            assertThat(bytes).as("%s", e.getKey()).isEqualTo(hex(e.getValue()));
            assertThat(e.getKey() instanceof Request ? Codec.decodeRequest(bytes) : Codec.decodeResponse(bytes)).isEqualTo(e.getKey());
        }
    }

    /** docs/PROTOCOL.md, "Reading keys together", shows these. */
    @Test
    void mgetMessages_areExactlyTheDocumentedBytes() throws Exception {
        Request mget = new Request.GetAll(List.of(b("a"), b("b"), b("c")));
        assertThat(Codec.encode(mget)).isEqualTo(hex("a2 626f70 646d676574 646b657973 83 6161 6162 6163"));
        Response values = new Response.Values(Arrays.asList(b("1"), null, Bytes.EMPTY));
        assertThat(Codec.encode(values)).as("an absent key is null, an empty value empty text")
                .isEqualTo(hex("a2 626f6b f5 6676616c756573 83 6131 f6 60"));
        assertThat(Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 83 6161 6162 6163"))).isEqualTo(mget);
        assertThat(Codec.decodeResponse(hex("a2 626f6b f5 6676616c756573 83 6131 f6 60"))).isEqualTo(values);
        // keys and values that are not UTF-8 go as byte strings; text sent as bytes is the same key
        assertThat(Codec.encode(new Request.GetAll(List.of(Bytes.wrap(new byte[] {(byte) 0xFF})))))
                .isEqualTo(hex("a2 626f70 646d676574 646b657973 81 41ff"));
        assertThat(Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 9f 4161 6162 ff")))
                .as("an indefinite array, a key as a byte string").isEqualTo(new Request.GetAll(List.of(b("a"), b("b"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a1 626f70 646d676574",                                  // no keys
        "a2 626f70 646d676574 646b657973 80",                    // no key in keys
        "a2 626f70 646d676574 646b657973 6161",                  // keys as text, not an array
        "a2 626f70 646d676574 646b657973 f6",                    // keys null
        "a2 626f70 646d676574 646b657973 a1 6161 6162",          // keys a map
        "a2 626f70 646d676574 646b657973 82 6161 01",            // an integer key
        "a2 626f70 646d676574 646b657973 82 6161 f6",            // a null key
        "a2 626f70 646d676574 646b657973 81 81 6161",            // a key that is an array
        "a2 626f70 646d676574 646b657973 81 f93c00",             // a float key
        "a3 626f70 646d676574 646b657973 81 6161 646b657973 81 6162", // keys twice
        "a2 626f70 646d676574 636b6579 6161",                    // "key" instead of "keys"
    })
    void badMgets_areBadRequests(String body) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void aMoveOfSlots_isFromToAndCount() throws Exception {
        // {"op": "move_slots", "from": 0, "to": 1, "count": 1000}
        byte[] body = hex("a4 626f70 6a6d6f76655f736c6f7473 6466726f6d 00 62746f 01 65636f756e74 1903e8");
        assertThat(Codec.encode(new Request.MoveSlots(0, 1, 1000))).isEqualTo(body);
        assertThat(Codec.decodeRequest(body)).isEqualTo(new Request.MoveSlots(0, 1, 1000));
    }

    @Test
    void anAddedShardsMembers_areOneTextSeparatedBySpaces() throws Exception {
        // {"op": "add_shard", "members": "n4=h:1,h:2,h:3 n1 n2"}
        byte[] body = hex("a2 626f70 696164645f7368617264 676d656d62657273 74 6e343d683a312c683a322c683a33206e31206e32");
        Request.AddShard added = new Request.AddShard(List.of("n4=h:1,h:2,h:3", "n1", "n2"));
        assertThat(Codec.encode(added)).isEqualTo(body);
        assertThat(Codec.decodeRequest(body)).isEqualTo(added);
        // {"op": "add_shard", "members": "  "}: no member
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a2 626f70 696164645f7368617264 676d656d62657273 62 2020")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.getMessage()).contains("'members' must name"));
        // {"op": "rebalance"}
        assertThat(Codec.decodeRequest(hex("a1 626f70 69726562616c616e6365"))).isEqualTo(new Request.Rebalance());
    }

    @ParameterizedTest
    @CsvSource({
        "a3 626f70 6a6d6f76655f736c6f7473 6466726f6d 00 62746f 01, missing field 'count'",             // no count
        "a4 626f70 6a6d6f76655f736c6f7473 6466726f6d 00 62746f 01 65636f756e74 00, 'count' must be a whole number from 1", // count 0
        "a4 626f70 6a6d6f76655f736c6f7473 6466726f6d 20 62746f 01 65636f756e74 01, 'from' must be a whole number from 0", // from -1
        "a4 626f70 6a6d6f76655f736c6f7473 6466726f6d 6161 62746f 01 65636f756e74 01, 'from' must be a whole number",     // from "a"
    })
    void badMovesOfSlots_areBadRequestsSayingWhatIsWrong(String body, String message) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining(message);
    }

    @Test
    void aBadMget_saysWhatIsWrong() {
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a1 626f70 646d676574"))).hasMessage("missing field 'keys'");
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 80")))
                .hasMessage("'keys' must hold at least one key");
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 6161")))
                .hasMessage("'keys' must be an array of keys (text or bytes), not text");
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 82 6161 f6")))
                .hasMessage("'keys' item 1 must be text or bytes, not null");
    }

    @Test
    void anMgetOfTheMostKeys_decodes_andOneKeyMore_isABadRequest() throws Exception {
        assertThat(((Request.GetAll) Codec.decodeRequest(mgetOfEmptyKeys(Request.GetAll.MAX_KEYS))).keys())
                .hasSize(Request.GetAll.MAX_KEYS).containsOnly(Bytes.EMPTY);
        assertThatThrownBy(() -> Codec.decodeRequest(mgetOfEmptyKeys(Request.GetAll.MAX_KEYS + 1)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessage("'keys' holds more than 1048576 items");
        assertThatThrownBy(() -> new Request.GetAll(Collections.nCopies(Request.GetAll.MAX_KEYS + 1, Bytes.EMPTY)))
                .as("nor can a client make one").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Request.GetAll(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code {"op": "mget", "keys": ["", "", ...]}} with {@code n} empty keys, the array's length in 4 bytes. */
    private static byte[] mgetOfEmptyKeys(int n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(n + 20);
        b.writeBytes(hex("a2 626f70 646d676574 646b657973 9a"));
        b.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        for (int i = 0; i < n; i++) {
            b.write(0x60);
        }
        return b.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a2 626f70 646d676574 646b657973 82 6161",               // an array cut short
        "a2 626f70 646d676574 646b657973 9f 6161",               // an indefinite array never ended
        "a2 626f70 646d676574 646b657973 9b ffffffffffffffff",   // an array declaring 2^64-1 items
        "a2 626f70 646d676574 646b657973 82 6161 61ff",          // invalid UTF-8 in a key
    })
    void brokenMgets_areMalformed(String body) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a2 626f6b f5 6676616c756573 6161",                     // values as text
        "a2 626f6b f5 6676616c756573 82 6161 01",               // an integer value
        "a2 626f6b f5 6676616c756573 81 80",                    // a value that is an array
        "a2 626f6b f5 6676616c756573 81 f5",                    // a value that is true
    })
    void badMgetAnswers_areRefused(String body) {
        assertThatThrownBy(() -> Codec.decodeResponse(hex(body))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aRequestWithoutExpiry_isTheBytesItWasBefore() {
        assertThat(Codec.encode(new Request.Set(b("a"), b("b"), null, null))).isEqualTo(Codec.encode(new Request.Set("a", "b")))
                .isEqualTo(hex("a3 626f70 63736574 636b6579 6161 6576616c7565 6162"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 00",       // set with ttl 0
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 20",       // ttl -1
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 1b8000000000000000", // ttl 2^63
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 3b8000000000000000", // ttl -2^63 - 1
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c f93c00",   // ttl 1.0, a float
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 623330",   // ttl "30", text
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c f6",       // ttl null
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 68646561646c696e65 00", // deadline 0
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 68646561646c696e65 20", // deadline -1
        "a4 626f70 63736574 636b6579 6161 6576616c7565 6162 68646561646c696e65 f5", // deadline true
        "a5 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 01 68646561646c696e65 01", // both
        "a2 626f70 66657870697265 636b6579 6161",                               // expire with neither
        "a3 626f70 66657870697265 636b6579 6161 6374746c 20",                   // expire with ttl -1
        "a3 626f70 66657870697265 636b6579 6161 68646561646c696e65 00",         // expire with deadline 0
        "a4 626f70 66657870697265 636b6579 6161 6374746c 01 68646561646c696e65 01", // expire with both
        "a2 626f70 66657870697265 6374746c 01",                                 // expire without key
        "a1 626f70 6374746c",                                                   // ttl without key
        "a2 626f70 6770657273697374 636b6579 f6",                               // persist with a null key
        "a3 626f70 63736574 636b6579 6161 6374746c 01",                         // set with ttl, no value
    })
    void badExpiries_areBadRequests(String body) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void aBadExpiry_saysWhatIsWrong() {
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 00")))
                .hasMessage("'ttl' must be a positive number of milliseconds: 0");
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a4 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c f93c00")))
                .hasMessage("'ttl' must be a whole number of milliseconds below 2^63");
        assertThatThrownBy(() -> Codec.decodeRequest(hex("a2 626f70 66657870697265 636b6579 6161")))
                .hasMessage("an expire needs 'ttl' or 'deadline'");
        assertThatThrownBy(() -> Codec.decodeRequest(hex(
                "a5 626f70 63736574 636b6579 6161 6576616c7565 6162 6374746c 01 68646561646c696e65 01")))
                .hasMessage("'ttl' and 'deadline' cannot both be given");
    }

    @Test
    void expiryFields_onOtherRequests_areIgnored() throws Exception {
        // {"op": "get", "key": "a", "ttl": -1}: as any field a get does not take
        assertThat(Codec.decodeRequest(hex("a3 626f70 63676574 636b6579 6161 6374746c 20"))).isEqualTo(new Request.Get("a"));
        // {"op": "persist", "key": "a", "deadline": 5}
        assertThat(Codec.decodeRequest(hex("a3 626f70 6770657273697374 636b6579 6161 68646561646c696e65 05")))
                .isEqualTo(new Request.Persist(b("a")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a2 626f6b f5 66657869737473 01",                                       // exists: 1
        "a2 626f6b f5 66657869737473 f5",                                       // exists, no deadline field
        "a3 626f6b f5 66657869737473 f5 68646561646c696e65 1b0000019b76db1d30", // a deadline without its ttl
        "a4 626f6b f5 66657869737473 f5 68646561646c696e65 00 6374746c 00",     // deadline 0
        "a4 626f6b f5 66657869737473 f5 68646561646c696e65 01 6374746c 20",     // ttl -1
        "a4 626f6b f5 66657869737473 f5 68646561646c696e65 6131 6374746c 00",   // deadline as text
        "a2 626f6b f5 676368616e676564 f6",                                     // changed: null
    })
    void badExpiryAnswers_areRefused(String body) {
        assertThatThrownBy(() -> Codec.decodeResponse(hex(body))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void expiries_outOfRange_cannotBeMade() {
        assertThatThrownBy(() -> new Expiry.After(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Expiry.At(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Request.Set(b("k"), b("v"), new Expiry.After(0), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Expiry.After(Long.MAX_VALUE).deadline(1)).isInstanceOf(ArithmeticException.class);
        assertThat(new Expiry.After(0).deadline(5)).isEqualTo(5);
        assertThat(new Expiry.At(7).deadline(5)).isEqualTo(7);
        assertThatThrownBy(() -> new Response.Ttl(false, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Response.Ttl(true, 0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Response.Ttl(true, 5, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statsEntries_thatAreNeitherTextNorWholeNumbers_areBadResponses() {
        // {"ok": true, "stats": {"x": 1.5}}
        assertThatThrownBy(() -> Codec.decodeResponse(hex("a2 626f6b f5 657374617473 a1 6178 f93e00")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("'stats' entry 'x'");
    }

    @Test
    void anAuthRequest_neverShowsItsPassword() {
        assertThat(new Request.Auth("s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void indefiniteLengthItems_areAccepted() throws Exception {
        // {_ "op": "set", "key": (_ "a", "b"), "value": "c"} with an indefinite map and a chunked text
        byte[] body = hex("bf 626f70 63736574 636b6579 7f 6161 6162 ff 6576616c7565 6163 ff");
        assertThat(Codec.decodeRequest(body)).isEqualTo(new Request.Set("ab", "c"));
    }

    @Test
    void unknownFields_areIgnored() throws Exception {
        // {"op": "get", "key": "a", "extra": [1, {"x": 2.5}]}
        byte[] body = hex("a3 626f70 63676574 636b6579 6161 6565787472 61 82 01 a1 6178 f94100");
        assertThat(Codec.decodeRequest(body)).isEqualTo(new Request.Get("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                   // empty body
        "a2 626f70 63676574 636b6579 61",     // cut inside the key
        "a2 626f70 63676574",                 // cut after one pair
        "a1 626f70 63676574 00",              // trailing byte
        "a1 626f70 63676574 a0",              // a second item
        "a2 626f70 63676574 636b6579 61ff",   // invalid UTF-8 in the key
        "a2 626f70 63676574 636b6579 62c0af", // overlong UTF-8 (jackson-dataformat-cbor 2.23 refuses it)
        "a2 626f70 63676574 636b6579 63eda080", // a lone surrogate, U+D800, in UTF-8
        "a2 626f70 63676574 636b6579 62c328", // a UTF-8 lead byte without its continuation
        "a2 626f70 63676574 636b6579 61c3 00", // a UTF-8 sequence cut by the end of its string
        "a3 626f70 63676574 636b6579 6161 6178 61ff", // invalid UTF-8 in an ignored field
        "ff",                                 // a break with nothing to end
        "bf 626f70 63676574",                 // indefinite map never ended
        "7b ffffffffffffffff",                // a text declaring 2^64-1 bytes
        "9b 7fffffffffffffff",                // an array declaring 2^63-1 items
        "9b ffffffffffffffff",                // an array declaring 2^64-1 items (AbuseIT found it read as empty)
        "bb ffffffffffffffff",                // a map declaring 2^64-1 pairs
        "a1 626f70 9b ffffffffffffffff",      // a field holding such an array
        "1c",                                 // reserved additional information
    })
    void brokenCbor_isMalformed(String body) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    }

    @Test
    void bodyInsideALargerBuffer_isDecodedInPlace() throws Exception {
        byte[] body = Codec.encode(new Request.Set("k", "v"));
        byte[] buf = new byte[body.length + 10];
        Arrays.fill(buf, (byte) 0xff);
        System.arraycopy(body, 0, buf, 7, body.length);
        assertThat(Codec.decodeRequest(buf, 7, body.length)).isEqualTo(new Request.Set("k", "v"));
        assertThatThrownBy(() -> Codec.decodeRequest(buf, 7, body.length + 1))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    }

    /**
     * A text is taken as its bytes in the frame (every form of length head, the frame at an
     * offset, the string cut by the frame's end though the buffer goes on); a tagged item may
     * refer to an earlier string (CBOR stringref), so its texts go through Jackson.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 23, 24, 255, 256, 65_535, 65_536})
    void textOfEveryLengthHead_isReadFromTheFrame(int length) throws Exception {
        String value = "é".repeat(length / 2) + "v".repeat(length % 2);
        byte[] body = Codec.encode(new Request.Set("key", value));
        byte[] buf = new byte[body.length + 20];
        Arrays.fill(buf, (byte) 0x61);
        System.arraycopy(body, 0, buf, 9, body.length);
        assertThat(Codec.decodeRequest(buf, 9, body.length)).isEqualTo(new Request.Set("key", value));
        assertThatThrownBy(() -> Codec.decodeRequest(buf, 9, body.length - 1)) // the value's last byte is outside the frame
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    }

    @Test
    void stringReferences_inATaggedItem_resolve() throws Exception {
        // 256({"op": "get", "key": 25(0)}): the key refers to the first string of 3 bytes or more, "get"
        assertThat(Codec.decodeRequest(hex("d90100 a2 626f70 63676574 636b6579 d819 00"))).isEqualTo(new Request.Get("get"));
        // {"op": "mget", "keys": 256(["abc", 25(0)])}
        assertThat(Codec.decodeRequest(hex("a2 626f70 646d676574 646b657973 d90100 82 63616263 d819 00")))
                .isEqualTo(new Request.GetAll(List.of(Bytes.utf8("abc"), Bytes.utf8("abc"))));
    }

    @Test
    void longText_isOneDefiniteLengthString() {
        // Jackson would write text over 1996 characters in indefinite-length chunks; kvs writes one string
        assertThat(Codec.encode(new Response.Value("x".repeat(70_000))))
                .startsWith(hex("a2 626f6b f5 6576616c7565 7a00011170"));
    }

    @Test
    void deepNesting_isMalformed() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0xa1);
        b.writeBytes(hex("6178"));
        for (int i = 0; i < 100_000; i++) {
            b.write(0x81); // [[[[...
        }
        b.write(0x00);
        assertThatThrownBy(() -> Codec.decodeRequest(b.toByteArray()))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "63676574",                           // "get": not a map
        "83 01 02 03",                        // an array
        "a0",                                 // {}: no op
        "a1 636b6579 6161",                   // {"key": "a"}: no op
        "a2 626f70 01 636b6579 6161",         // op is a number
        "a2 626f70 6466726f62 636b6579 6161", // unknown op "frob"
        "a1 626f70 63676574",                 // get without key
        "a2 626f70 63676574 636b6579 01",     // key is a number
        "a2 626f70 63676574 636b6579 f6",     // key is null
        "a2 626f70 63736574 636b6579 6161",   // set without value
        "a3 626f70 63736574 636b6579 6161 6576616c7565 80",   // value is an array
        "a3 626f70 63676574 636b6579 6161 636b6579 6162",     // duplicate key
        "a4 626f70 63676574 636b6579 6161 6178 01 6178 02",   // duplicate ignored field
        "a3 626f70 63676574 636b6579 6161 01 02",             // an integer key
        "a3 626f70 63676574 636b6579 6161 4178 02",           // a byte string key
        "a2 426f70 63676574 636b6579 6161",   // "op" as a byte string key
        "a3 626f70 62726d 636b6579 6161 63636964 50 000102030405060708090a0b0c0d0e0f", // cid without seq
        "a3 626f70 62726d 636b6579 6161 63736571 01",                                  // seq without cid
        "a4 626f70 62726d 636b6579 6161 63636964 4f 0102030405060708090a0b0c0d0e0f 63736571 01", // a 15-byte cid
        "a4 626f70 62726d 636b6579 6161 63636964 6161 63736571 01",                     // cid as text
        "a4 626f70 62726d 636b6579 6161 63636964 50 000102030405060708090a0b0c0d0e0f 63736571 20", // seq -1
        "a4 626f70 62726d 636b6579 6161 63636964 50 000102030405060708090a0b0c0d0e0f 63736571 1b8000000000000000", // 2^63
        "a4 626f70 62726d 636b6579 6161 63636964 50 000102030405060708090a0b0c0d0e0f 63736571 6131", // seq as text
    })
    void wrongShapesAndTypes_areBadRequests(String body) {
        assertThatThrownBy(() -> Codec.decodeRequest(hex(body)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void everyTruncationOfAFrame_isAnEndOfStreamInsideIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(out, Codec.encode(new Request.Set("key", "value")));
        byte[] frame = out.toByteArray();
        assertThat(Frames.read(new ByteArrayInputStream(new byte[0]), Frames.DEFAULT_MAX_FRAME)).isNull();
        for (int cut = 1; cut < frame.length; cut++) {
            InputStream in = new ByteArrayInputStream(frame, 0, cut);
            assertThatThrownBy(() -> Frames.read(in, Frames.DEFAULT_MAX_FRAME)).as("cut at %d", cut)
                    .isInstanceOf(EOFException.class);
        }
        byte[] body = Frames.read(new ByteArrayInputStream(frame), Frames.DEFAULT_MAX_FRAME);
        assertThat(Codec.decodeRequest(body)).isEqualTo(new Request.Set("key", "value"));
    }

    @Test
    void lengthAboveTheMaximum_isTooLarge_beforeTheBodyIsRead() {
        // only the 4-byte header is there to read: touching the body would fail the test
        InputStream headerOnly = new InputStream() {
            private final byte[] header = hex("7fffffff");
            private int pos;

            @Override
            public int read() {
                if (pos == header.length) {
                    throw new AssertionError("read past the length prefix");
                }
                return header[pos++] & 0xFF;
            }
        };
        assertThatThrownBy(() -> Frames.read(headerOnly, Frames.DEFAULT_MAX_FRAME))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(hex("ffffffff")), Frames.DEFAULT_MAX_FRAME))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void maximumLength_isInclusive() throws IOException {
        byte[] body = new byte[100];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(out, body);
        assertThat(Frames.read(new ByteArrayInputStream(out.toByteArray()), 100)).hasSize(100);
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(out.toByteArray()), 99))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void unpairedSurrogates_cannotBeSent() {
        assertThatThrownBy(() -> Codec.encode(new Request.Set("k", "\uD800")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A run of frames decoded by one parser answers each frame exactly as decoding it alone, where
     * it is, does, whatever the frames around it: well-formed requests, requests cut short or
     * followed by bytes (whose items would run into the next frame), empty bodies, bad requests,
     * bytes changed.
     */
    @Test
    void aRunOfFrames_decodesEachAsAlone() throws Exception {
        Random random = new Random(31);
        for (int round = 0; round < 2_000; round++) {
            int count = 1 + random.nextInt(12);
            List<Integer> at = new ArrayList<>();
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            run.writeBytes(hex("0102")); // the run starts inside the buffer
            for (int i = 0; i < count; i++) {
                byte[] body = someBody(random);
                run.writeBytes(Frames.frame(body));
                at.add(run.size() - body.length);
            }
            run.writeBytes(hex("a0 ff")); // and bytes follow it
            byte[] buf = run.toByteArray();
            byte[] original = buf.clone();
            Request[] requests = new Request[count];
            ProtocolException[] failures = new ProtocolException[count];
            Codec.decodeRequests(buf, 2, count, requests, failures);
            for (int i = 0; i < count; i++) {
                int off = at.get(i);
                int len = (int) Frames.length(original, off - Frames.HEADER);
                String frame = "round " + round + ", frame " + i + ": " + HexFormat.of().formatHex(original, off, off + len);
                try {
                    Request alone = Codec.decodeRequest(original, off, len);
                    assertThat(failures[i]).as(frame).isNull();
                    assertThat(requests[i]).as(frame).isEqualTo(alone);
                } catch (ProtocolException e) {
                    assertThat(requests[i]).as(frame).isNull();
                    assertThat(failures[i]).as(frame).isNotNull();
                    assertThat(failures[i].code()).as(frame).isEqualTo(e.code());
                    assertThat(failures[i].getMessage()).as(frame).isEqualTo(e.getMessage());
                }
            }
        }
    }

    /** One writer for many replies writes each as encoding it alone does; one it cannot write leaves nothing, and the next is whole. */
    @Test
    void aResponseWriter_writesEachReplyAsAlone() throws Exception {
        List<Response> replies = List.of(new Response.Value("a"), Response.Ok.INSTANCE, Response.Value.ABSENT,
                new Response.Values(Arrays.asList(Bytes.utf8("x"), null)), Response.Changed.of(true),
                new Response.Error(ErrorCode.BAD_REQUEST, "no"), new Response.Value(Bytes.wrap(new byte[] {(byte) 0xff})));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (Codec.ResponseWriter writer = new Codec.ResponseWriter(out)) {
            for (Response reply : replies) {
                writer.write(reply);
                expected.writeBytes(Codec.encode(reply));
                assertThat(out.toByteArray()).as("whole after each write").isEqualTo(expected.toByteArray());
            }
            assertThatThrownBy(() -> writer.write(new Response.Error(ErrorCode.BAD_REQUEST, "bad \uD800")))
                    .isInstanceOf(IllegalArgumentException.class);
            writer.write(new Response.Value("b"));
            expected.writeBytes(Codec.encode(new Response.Value("b")));
        }
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    }

    /** A request's body, often broken: cut short, lengthened, a byte changed, or empty. */
    private static byte[] someBody(Random random) {
        String key = "k".repeat(random.nextInt(30));
        String value = "é".repeat(random.nextInt(20));
        Request request = switch (random.nextInt(6)) {
            case 0 -> new Request.Get(key);
            case 1 -> new Request.Set(key, value);
            case 2 -> new Request.Set(Bytes.utf8(key), Bytes.wrap(new byte[] {(byte) 0xff, 1}), new Expiry.After(5), null);
            case 3 -> new Request.GetAll(List.of(Bytes.utf8(key), Bytes.utf8(value)));
            case 4 -> new Request.Remove(key);
            default -> new Request.Ping();
        };
        byte[] body = Codec.encode(request);
        return switch (random.nextInt(8)) {
            case 0 -> Arrays.copyOf(body, random.nextInt(body.length)); // cut short, maybe empty
            case 1 -> Arrays.copyOf(body, body.length + 1 + random.nextInt(3)); // zeros after the item
            case 2 -> {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                yield body;
            }
            case 3 -> hex(random.nextBoolean() ? "a1 626f70 f6" : "63676574"); // a bad request; not a map
            default -> body;
        };
    }
}
