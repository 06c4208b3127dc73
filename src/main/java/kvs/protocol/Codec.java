package kvs.protocol;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * Encodes and decodes the messages of docs/PROTOCOL.md (frame bodies; see {@link Frames} for framing),
 * with jackson-dataformat-cbor's streaming parser and generator. Text is written as UTF-8 the
 * codec has checked, in one definite-length string with the shortest head (Jackson would split a
 * long string into chunks), so messages have the bytes docs/PROTOCOL.md shows.
 */
public final class Codec {

    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString KEY = new SerializedString("key");
    private static final SerializedString VALUE = new SerializedString("value");
    private static final SerializedString OK = new SerializedString("ok");
    private static final SerializedString CODE = new SerializedString("code");
    private static final SerializedString MSG = new SerializedString("msg");
    private static final SerializedString LEADER = new SerializedString("leader");
    private static final SerializedString GET = new SerializedString("get");
    private static final SerializedString RM = new SerializedString("rm");
    private static final SerializedString SET = new SerializedString("set");
    private static final SerializedString PING = new SerializedString("ping");
    private static final SerializedString AUTH = new SerializedString("auth");
    private static final SerializedString STATS = new SerializedString("stats");
    private static final SerializedString PASSWORD = new SerializedString("password");
    private static final SerializedString CID = new SerializedString("cid");
    private static final SerializedString SEQ = new SerializedString("seq");
    private static final SerializedString TTL = new SerializedString("ttl");
    private static final SerializedString DEADLINE = new SerializedString("deadline");
    private static final SerializedString EXPIRE = new SerializedString("expire");
    private static final SerializedString PERSIST = new SerializedString("persist");
    private static final SerializedString MOVE_SLOTS = new SerializedString("move_slots");
    private static final SerializedString FROM = new SerializedString("from");
    private static final SerializedString TO = new SerializedString("to");
    private static final SerializedString COUNT = new SerializedString("count");
    private static final SerializedString ADD_SHARD = new SerializedString("add_shard");
    private static final SerializedString MEMBERS = new SerializedString("members");
    private static final SerializedString REBALANCE = new SerializedString("rebalance");
    /** {@code {"ok": true}}, the body of every plain success (a set, a remove...): encoded once. */
    private static final byte[] OK_BODY = okBody();
    private static final SerializedString EXISTS = new SerializedString("exists");
    private static final SerializedString CHANGED = new SerializedString("changed");
    private static final SerializedString MGET = new SerializedString("mget");
    private static final SerializedString KEYS = new SerializedString("keys");
    private static final SerializedString VALUES = new SerializedString("values");

    private static final String[] REQUEST_FIELDS = {"op", "key", "value", "password", "cid", "seq", "ttl", "deadline",
        "keys", "from", "to", "count", "members"};
    private static final int KEYS_SLOT = 8;
    private static final int FROM_SLOT = 9;
    private static final int MEMBERS_SLOT = 12;
    private static final String[] RESPONSE_FIELDS = {"ok", "value", "code", "msg", "stats", "leader", "exists", "deadline",
        "ttl", "changed", "values"};
    private static final int STATS_SLOT = 4;
    private static final int VALUES_SLOT = 10;

    private Codec() {
    }

    /** @throws IllegalArgumentException if a password holds an unpaired surrogate, which UTF-8 cannot carry */
    public static byte[] encode(Request request) {
        return switch (request) {
            case Request.Get r -> encodeRequest(GET, KEY, r.key(), null, null, null);
            case Request.GetAll r -> encodeGetAll(r.keys());
            case Request.Remove r -> encodeRequest(RM, KEY, r.key(), null, null, r.id());
            case Request.Set r -> encodeRequest(SET, KEY, r.key(), r.value(), r.expiry(), r.id());
            case Request.Ttl r -> encodeRequest(TTL, KEY, r.key(), null, null, null);
            case Request.Expire r -> encodeRequest(EXPIRE, KEY, r.key(), null, r.expiry(), null);
            case Request.Persist r -> encodeRequest(PERSIST, KEY, r.key(), null, null, null);
            case Request.Ping r -> encodeRequest(PING, null, null, null, null, null);
            case Request.Stats r -> encodeRequest(STATS, null, null, null, null, null);
            case Request.Auth r -> encodeRequest(AUTH, PASSWORD, Bytes.utf8(r.password()), null, null, null);
            case Request.MoveSlots r -> encodeMoveSlots(r);
            case Request.AddShard r -> encodeRequest(ADD_SHARD, MEMBERS, Bytes.utf8(String.join(" ", r.members())), null, null, null);
            case Request.Rebalance r -> encodeRequest(REBALANCE, null, null, null, null, null);
        };
    }

    /** {@code {"op": "move_slots", "from": n, "to": n, "count": n}}. */
    private static byte[] encodeMoveSlots(Request.MoveSlots r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(48);
        try (JsonGenerator g = Cbor.FACTORY.createGenerator(out)) {
            g.writeStartObject(null, 4);
            g.writeFieldName(OP);
            g.writeString(MOVE_SLOTS);
            g.writeFieldName(FROM);
            g.writeNumber(r.from());
            g.writeFieldName(TO);
            g.writeNumber(r.to());
            g.writeFieldName(COUNT);
            g.writeNumber(r.count());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    /**
     * {@code {"op": op, firstName: first, "value": value, "ttl" | "deadline": n, "cid": bytes, "seq": n}},
     * without the fields that are null; bytes go as text when they are UTF-8.
     */
    private static byte[] encodeRequest(SerializedString op, SerializedString firstName, Bytes first,
                                        Bytes value, Expiry expiry, WriteId id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + (first == null ? 0 : first.length())
                + (value == null ? 0 : value.length()));
        try (JsonGenerator g = Cbor.FACTORY.createGenerator(out)) {
            g.writeStartObject(null, 1 + (first == null ? 0 : 1) + (value == null ? 0 : 1) + (expiry == null ? 0 : 1)
                    + (id == null ? 0 : 2));
            g.writeFieldName(OP);
            g.writeString(op);
            if (first != null) {
                g.writeFieldName(firstName);
                writeBytes(g, first);
            }
            if (value != null) {
                g.writeFieldName(VALUE);
                writeBytes(g, value);
            }
            switch (expiry) {
                case null -> {
                }
                case Expiry.After a -> {
                    g.writeFieldName(TTL);
                    g.writeNumber(a.millis());
                }
                case Expiry.At a -> {
                    g.writeFieldName(DEADLINE);
                    g.writeNumber(a.unixMillis());
                }
            }
            if (id != null) {
                g.writeFieldName(CID);
                g.writeBinary(ByteBuffer.allocate(16).putLong(id.client().getMostSignificantBits())
                        .putLong(id.client().getLeastSignificantBits()).array());
                g.writeFieldName(SEQ);
                g.writeNumber(id.seq());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    /** {@code {"op": "mget", "keys": [key, ...]}}. */
    private static byte[] encodeGetAll(List<Bytes> keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 2 * keys.size());
        try (JsonGenerator g = Cbor.FACTORY.createGenerator(out)) {
            g.writeStartObject(null, 2);
            g.writeFieldName(OP);
            g.writeString(MGET);
            g.writeFieldName(KEYS);
            g.writeStartArray(null, keys.size());
            for (Bytes key : keys) {
                writeBytes(g, key);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    /** {@code b} as CBOR text if it is UTF-8, else as a byte string. */
    private static void writeBytes(JsonGenerator g, Bytes b) throws IOException {
        byte[] array = b.toByteArray();
        if (b.isUtf8()) {
            g.writeUTF8String(array, 0, array.length);
        } else {
            g.writeBinary(array);
        }
    }

    /** {@code b} as {@link #writeBytes} writes it, or a CBOR null when it is null (an absent key's value). */
    private static void writeBytesOrNull(JsonGenerator g, Bytes b) throws IOException {
        if (b == null) {
            g.writeNull();
        } else {
            writeBytes(g, b);
        }
    }

    private static byte[] okBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8);
        try (JsonGenerator g = Cbor.FACTORY.createGenerator(out)) {
            g.writeStartObject(null, 1);
            g.writeFieldName(OK);
            g.writeBoolean(true);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException if a string holds an unpaired surrogate, which UTF-8 cannot carry */
    public static byte[] encode(Response response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        try {
            encode(response, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array output does not fail
        }
        return out.toByteArray();
    }

    /**
     * Writes the body of {@code response} to {@code out}.
     *
     * @throws IllegalArgumentException if a string holds an unpaired surrogate; nothing is written then
     */
    public static void encode(Response response, OutputStream out) throws IOException {
        try (ResponseWriter writer = new ResponseWriter(out)) {
            writer.write(response);
        }
    }

    /**
     * Writes response bodies one after another to one output, with one Jackson generator for as
     * many as it is given before {@link #close} (a connection's batch of replies) rather than one
     * per body. Each body is whole in the output when {@link #write} returns. Not thread-safe.
     */
    public static final class ResponseWriter implements Closeable {

        private final OutputStream out;
        /** Made by the first body that needs one; null after close, or after a body failed. */
        private JsonGenerator g;

        public ResponseWriter(OutputStream out) {
            this.out = out;
        }

        /**
         * Writes the body of {@code response}.
         *
         * @throws IllegalArgumentException if a string holds an unpaired surrogate; nothing is written then
         */
        public void write(Response response) throws IOException {
            if (response instanceof Response.Ok) {
                out.write(OK_BODY);
                return;
            }
            if (g == null) {
                g = Cbor.FACTORY.createGenerator(out);
            }
            try {
                body(g, response);
            } catch (IOException | RuntimeException e) {
                g = null; // mid-body: dropped unflushed (a body's texts are checked before it starts), its buffer to the collector
                throw e;
            }
            g.flush();
        }

        /** Ends the generator, if one was made; the writer may be used again, and makes another. */
        @Override
        public void close() throws IOException {
            if (g != null) {
                JsonGenerator done = g;
                g = null;
                done.close();
            }
        }
    }

    /** Writes the body of {@code response}, not {@link Response.Ok}, with {@code g}. */
    private static void body(JsonGenerator g, Response response) throws IOException {
        switch (response) {
            case Response.Ok ok -> throw new IllegalStateException("written as its bytes");
            case Response.Value v -> {
                g.writeStartObject(null, 2);
                g.writeFieldName(OK);
                g.writeBoolean(true);
                g.writeFieldName(VALUE);
                writeBytesOrNull(g, v.value());
                g.writeEndObject();
            }
            case Response.Values v -> {
                g.writeStartObject(null, 2);
                g.writeFieldName(OK);
                g.writeBoolean(true);
                g.writeFieldName(VALUES);
                g.writeStartArray(null, v.values().size());
                for (Bytes value : v.values()) {
                    writeBytesOrNull(g, value);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            case Response.Ttl t -> {
                g.writeStartObject(null, !t.exists() ? 2 : t.deadline() == 0 ? 3 : 4);
                g.writeFieldName(OK);
                g.writeBoolean(true);
                g.writeFieldName(EXISTS);
                g.writeBoolean(t.exists());
                if (t.exists()) {
                    g.writeFieldName(DEADLINE);
                    if (t.deadline() == 0) {
                        g.writeNull();
                    } else {
                        g.writeNumber(t.deadline());
                        g.writeFieldName(TTL);
                        g.writeNumber(t.ttl());
                    }
                }
                g.writeEndObject();
            }
            case Response.Changed c -> {
                g.writeStartObject(null, 2);
                g.writeFieldName(OK);
                g.writeBoolean(true);
                g.writeFieldName(CHANGED);
                g.writeBoolean(c.changed());
                g.writeEndObject();
            }
            case Response.Stats st -> {
                List<byte[]> texts = new ArrayList<>(); // checked before anything is written
                for (Object figure : st.stats().values()) {
                    if (!(figure instanceof Long)) {
                        texts.add(Bytes.utf8((String) figure).toByteArray());
                    }
                }
                g.writeStartObject(null, 2);
                g.writeFieldName(OK);
                g.writeBoolean(true);
                g.writeFieldName(STATS);
                g.writeStartObject(null, st.stats().size());
                int next = 0;
                for (Map.Entry<String, Object> e : st.stats().entrySet()) {
                    g.writeFieldName(e.getKey());
                    if (e.getValue() instanceof Long n) {
                        g.writeNumber(n);
                    } else {
                        byte[] text = texts.get(next++);
                        g.writeUTF8String(text, 0, text.length);
                    }
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            case Response.Error e -> {
                byte[] code = Bytes.utf8(e.code()).toByteArray();
                byte[] msg = Bytes.utf8(e.message()).toByteArray();
                byte[] leader = e.leader() == null ? null : Bytes.utf8(e.leader()).toByteArray();
                g.writeStartObject(null, leader == null ? 3 : 4);
                g.writeFieldName(OK);
                g.writeBoolean(false);
                g.writeFieldName(CODE);
                g.writeUTF8String(code, 0, code.length);
                g.writeFieldName(MSG);
                g.writeUTF8String(msg, 0, msg.length);
                if (leader != null) {
                    g.writeFieldName(LEADER);
                    g.writeUTF8String(leader, 0, leader.length);
                }
                g.writeEndObject();
            }
        }
    }

    /** Decodes a request body; see {@link #decodeRequest(byte[], int, int)}. */
    public static Request decodeRequest(byte[] body) throws ProtocolException {
        return decodeRequest(body, 0, body.length);
    }

    /**
     * Decodes the request body of {@code len} bytes at {@code off} in {@code buf}.
     *
     * @throws ProtocolException {@code malformed} if the body is not exactly one well-formed CBOR
     *                           item; {@code bad_request} if it is not a valid request
     */
    public static Request decodeRequest(byte[] buf, int off, int len) throws ProtocolException {
        Object[] f = new Object[REQUEST_FIELDS.length];
        CborFields.read(buf, off, len, "a request", REQUEST_FIELDS, f, -1, KEYS_SLOT);
        return request(f);
    }

    /**
     * Decodes the requests of {@code count} whole frames that follow one another in {@code buf}
     * from {@code off} (each a {@link Frames#HEADER}-byte length, then its body, as {@link Frames}
     * reads them; lengths already checked), as {@link #decodeRequest} decodes each: request i, or
     * why it does not decode, lands in {@code requests[i]} or {@code failures[i]}. One parser reads
     * the run (not one per frame), stepping over the frames' headers, which this overwrites: the
     * caller is done with them.
     */
    public static void decodeRequests(byte[] buf, int off, int count, Request[] requests, ProtocolException[] failures) {
        CborFields.readRun(buf, off, count, "a request", REQUEST_FIELDS, -1, KEYS_SLOT, (i, f, failure) -> {
            try {
                if (failure != null) {
                    throw failure;
                }
                requests[i] = request(f);
                failures[i] = null;
            } catch (ProtocolException e) {
                requests[i] = null;
                failures[i] = e;
            }
        });
    }

    /** The request whose fields are {@code f}. */
    private static Request request(Object[] f) throws ProtocolException {
        Object op = f[0];
        if (op == null) {
            throw badRequest("the request has no 'op'");
        }
        if (!(op instanceof CborFields.Text text)) {
            throw badRequest("'op' must be text, not " + op);
        }
        String name = text.string();
        return switch (name) {
            case "get" -> new Request.Get(bytes(f[1], "key"));
            case "mget" -> new Request.GetAll(keys(f[KEYS_SLOT]));
            case "rm" -> new Request.Remove(bytes(f[1], "key"), writeId(f[4], f[5]));
            case "set" -> set(bytes(f[1], "key"), bytes(f[2], "value"), expiry(f[6], f[7]), writeId(f[4], f[5]));
            case "ttl" -> new Request.Ttl(bytes(f[1], "key"));
            case "expire" -> expire(bytes(f[1], "key"), f[6], f[7]);
            case "persist" -> new Request.Persist(bytes(f[1], "key"));
            case "ping" -> new Request.Ping();
            case "stats" -> new Request.Stats();
            case "auth" -> new Request.Auth(text(f[3], "password"));
            case "move_slots" -> new Request.MoveSlots(count(f[FROM_SLOT], "from", 0), count(f[FROM_SLOT + 1], "to", 0),
                    count(f[FROM_SLOT + 2], "count", 1));
            case "add_shard" -> addShard(text(f[MEMBERS_SLOT], "members"));
            case "rebalance" -> new Request.Rebalance();
            default -> throw badRequest("unknown op '" + name + "'");
        };
    }

    /** The keys of an mget: an array of one or more keys (its length is bounded as it is read, by {@link CborFields}). */
    private static List<Bytes> keys(Object value) throws ProtocolException {
        if (value == null) {
            throw badRequest("missing field 'keys'");
        }
        if (!(value instanceof List<?> items)) {
            throw badRequest("'keys' must be an array of keys (text or bytes), not " + shown(value));
        }
        if (items.isEmpty()) {
            throw badRequest("'keys' must hold at least one key");
        }
        List<Bytes> keys = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof CborFields.Text) && !(item instanceof byte[])) {
                throw badRequest("'keys' item " + keys.size() + " must be text or bytes, not " + shown(item));
            }
            keys.add(bytes(item, "keys"));
        }
        return keys;
    }

    private static Request.Set set(Bytes key, Bytes value, Expiry expiry, WriteId id) throws ProtocolException {
        try {
            return new Request.Set(key, value, expiry, id);
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    private static Request.Expire expire(Bytes key, Object ttl, Object deadline) throws ProtocolException {
        Expiry expiry = expiry(ttl, deadline);
        if (expiry == null) {
            throw badRequest("an expire needs 'ttl' or 'deadline'");
        }
        return new Request.Expire(key, expiry);
    }

    /** The expiry of the fields {@code ttl} and {@code deadline}: one, or neither (null). */
    private static Expiry expiry(Object ttl, Object deadline) throws ProtocolException {
        if (ttl != null && deadline != null) {
            throw badRequest("'ttl' and 'deadline' cannot both be given");
        }
        try {
            if (ttl != null) {
                return new Expiry.After(millis(ttl, "ttl"));
            }
            return deadline == null ? null : new Expiry.At(millis(deadline, "deadline"));
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    /** An add_shard's members: specs separated by spaces. */
    private static Request.AddShard addShard(String members) throws ProtocolException {
        List<String> specs = java.util.Arrays.stream(members.trim().split(" +")).filter(m -> !m.isEmpty()).toList();
        if (specs.isEmpty()) {
            throw badRequest("'members' must name the new shard's members, separated by spaces");
        }
        return new Request.AddShard(specs);
    }

    /** A whole number from {@code least} to 2^31 - 1, as a move names its shards and count. */
    private static int count(Object value, String name, int least) throws ProtocolException {
        if (value == null) {
            throw badRequest("missing field '" + name + "'");
        }
        if (!(value instanceof Long n) || n < least || n > Integer.MAX_VALUE) {
            throw badRequest("'" + name + "' must be a whole number from " + least + " to 2^31 - 1, not " + shown(value));
        }
        return n.intValue();
    }

    private static long millis(Object value, String name) throws ProtocolException {
        if (!(value instanceof Long n)) {
            throw badRequest("'" + name + "' must be a whole number of milliseconds below 2^63");
        }
        return n;
    }

    /** Decodes a response body; see {@link #decodeResponse(byte[], int, int)}. */
    public static Response decodeResponse(byte[] body) throws ProtocolException {
        return decodeResponse(body, 0, body.length);
    }

    /**
     * Decodes the response body of {@code len} bytes at {@code off} in {@code buf}.
     *
     * @throws ProtocolException if the body is not a well-formed, valid response
     */
    public static Response decodeResponse(byte[] buf, int off, int len) throws ProtocolException {
        Object[] f = new Object[RESPONSE_FIELDS.length];
        CborFields.read(buf, off, len, "a response", RESPONSE_FIELDS, f, STATS_SLOT, VALUES_SLOT);
        if (Boolean.TRUE.equals(f[0])) {
            if (f[STATS_SLOT] != null) {
                if (!(f[STATS_SLOT] instanceof Map<?, ?> stats)) {
                    throw badRequest("'stats' must be a map, not " + f[STATS_SLOT]);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> figures = (Map<String, Object>) stats;
                return new Response.Stats(figures);
            }
            if (f[9] != null) {
                return Response.Changed.of(flag(f[9], "changed"));
            }
            if (f[6] != null) {
                return ttl(flag(f[6], "exists"), f[7], f[8]);
            }
            if (f[VALUES_SLOT] != null) {
                return values(f[VALUES_SLOT]);
            }
            if (f[1] == null) {
                return new Response.Ok();
            }
            return new Response.Value(f[1] == CborFields.NULL ? null : bytes(f[1], "value"));
        }
        if (Boolean.FALSE.equals(f[0])) {
            return new Response.Error(text(f[2], "code"), text(f[3], "msg"), f[5] == null ? null : text(f[5], "leader"));
        }
        throw badRequest("a response needs 'ok' as true or false");
    }

    /** The answer of an mget: an array of values, null for an absent key. */
    private static Response.Values values(Object value) throws ProtocolException {
        if (!(value instanceof List<?> items)) {
            throw badRequest("'values' must be an array, not " + shown(value));
        }
        List<Bytes> values = new ArrayList<>(items.size());
        for (Object item : items) {
            if (item == CborFields.NULL) {
                values.add(null);
            } else if (item instanceof CborFields.Text || item instanceof byte[]) {
                values.add(bytes(item, "values"));
            } else {
                throw badRequest("'values' item " + values.size() + " must be text, bytes or null, not " + shown(item));
            }
        }
        return new Response.Values(values);
    }

    /** What kind of value a field or item holds, for an error message. */
    private static String shown(Object value) {
        return switch (value) {
            case CborFields.Text s -> "text";
            case byte[] b -> "a byte string";
            case Long n -> "an integer";
            case Boolean b -> b.toString();
            case List<?> l -> "an array";
            default -> value == CborFields.NULL ? "null" : "a value of another kind (a map, an array, a float...)";
        };
    }

    private static boolean flag(Object value, String name) throws ProtocolException {
        if (!(value instanceof Boolean b)) {
            throw badRequest("'" + name + "' must be true or false, not " + (value == CborFields.NULL ? value : CborFields.OTHER));
        }
        return b;
    }

    /** The answer of a ttl: absent; present without a deadline ({@code "deadline": null}); or its deadline and time to live. */
    private static Response.Ttl ttl(boolean exists, Object deadline, Object ttl) throws ProtocolException {
        if (!exists) {
            return Response.Ttl.ABSENT;
        }
        if (deadline == CborFields.NULL) {
            return Response.Ttl.NO_DEADLINE;
        }
        if (deadline == null || ttl == null) {
            throw badRequest("a ttl answer for a present key needs 'deadline' (null for none) and, with one, 'ttl'");
        }
        long d = millis(deadline, "deadline");
        long t = millis(ttl, "ttl");
        if (d <= 0 || t < 0) {
            throw badRequest("a ttl answer needs a positive 'deadline' and a 'ttl' not negative: " + d + ", " + t);
        }
        return Response.Ttl.expiring(d, t);
    }

    private static String text(Object value, String name) throws ProtocolException {
        return utf8(value, name).string();
    }

    private static CborFields.Text utf8(Object value, String name) throws ProtocolException {
        if (value == null) {
            throw badRequest("missing field '" + name + "'");
        }
        if (!(value instanceof CborFields.Text t)) {
            throw badRequest("'" + name + "' must be " + (name.equals("key") || name.equals("value") ? "text or bytes" : "text") + ", not "
                    + (value instanceof Boolean || value == CborFields.NULL ? value : CborFields.OTHER));
        }
        return t;
    }

    /** A key or value: text (its UTF-8) or a byte string. */
    private static Bytes bytes(Object value, String name) throws ProtocolException {
        if (value instanceof byte[] b) {
            return Bytes.wrap(b);
        }
        return Bytes.wrap(utf8(value, name).utf8());
    }

    /** The write's identity from the fields {@code cid} and {@code seq}: both, or neither (null). */
    private static WriteId writeId(Object cid, Object seq) throws ProtocolException {
        if (cid == null && seq == null) {
            return null;
        }
        if (!(cid instanceof byte[] b) || b.length != 16) {
            throw badRequest(cid == null ? "'seq' needs a 'cid'" : "'cid' must be a byte string of 16 bytes");
        }
        if (!(seq instanceof Long n) || n < 0) {
            throw badRequest(seq == null ? "'cid' needs a 'seq'" : "'seq' must be an unsigned integer below 2^63");
        }
        ByteBuffer bytes = ByteBuffer.wrap(b);
        return new WriteId(new UUID(bytes.getLong(), bytes.getLong()), n);
    }

    private static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }
}
