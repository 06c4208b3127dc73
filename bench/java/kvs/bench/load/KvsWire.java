package kvs.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.store.Bytes;

/**
 * The kvs protocol: length-prefixed CBOR frames. As redis-benchmark does, requests are copied
 * from a template the library's codec encoded once, with the key's digits written in; a reply
 * is compared with the codec's own encoding of the expected reply, and only one that differs is
 * decoded (an error, a wrong value, or another valid encoding). The generator then spends as
 * little per request on kvs as on Redis.
 */
final class KvsWire implements Wire {

    private final String value;
    private final Template get;
    private final Template set;
    private final ByteBuffer ok = frame(Codec.encode(new Response.Ok()));
    private final ByteBuffer hit;
    private final ByteBuffer miss = frame(Codec.encode(new Response.Value((Bytes) null)));

    KvsWire(String value) {
        this.value = value;
        this.get = Template.of(new Request.Get(Keys.name(0)));
        this.set = Template.of(new Request.Set(Keys.name(0), value));
        this.hit = frame(Codec.encode(new Response.Value(value)));
    }

    /** A request's frame with the place of its key. */
    private record Template(byte[] frame, int keyAt) {
        static Template of(Request r) {
            byte[] frame = KvsWire.frame(Codec.encode(r)).array();
            return new Template(frame, indexOf(frame, Keys.name(0).getBytes(StandardCharsets.US_ASCII)));
        }

        void write(ByteBuffer out, int key) {
            int at = out.position();
            out.put(frame);
            Keys.format(key, out, at + keyAt);
        }
    }

    private static ByteBuffer frame(byte[] body) {
        return ByteBuffer.allocate(Frames.HEADER + body.length).putInt(body.length).put(body).flip();
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (ByteBuffer.wrap(in, i, what.length).equals(ByteBuffer.wrap(what))) {
                return i;
            }
        }
        throw new IllegalStateException("the key is not in its request's encoding");
    }

    @Override
    public int maxRequestBytes() {
        return set.frame().length;
    }

    @Override
    public int maxReplyBytes() {
        return Math.max(hit.remaining(), 1024); // room for an error's message
    }

    @Override
    public void writeGet(ByteBuffer out, int key) {
        get.write(out, key);
    }

    @Override
    public void writeSet(ByteBuffer out, int key) {
        set.write(out, key);
    }

    @Override
    public Reply read(ByteBuffer in) throws IOException {
        int start = in.position();
        if (in.remaining() < Frames.HEADER) {
            return null;
        }
        // the connection's buffer holds at least maxReplyBytes(): a longer reply could never arrive whole
        int length = Frames.checkLength(Integer.toUnsignedLong(in.getInt(start)), maxReplyBytes() - Frames.HEADER);
        int end = start + Frames.HEADER + length;
        if (in.limit() < end) {
            return null;
        }
        ByteBuffer reply = in.slice(start, end - start);
        in.position(end);
        if (reply.equals(ok)) {
            return Reply.OK;
        } else if (reply.equals(hit)) {
            return Reply.HIT;
        } else if (reply.equals(miss)) {
            return Reply.MISS;
        }
        byte[] body = new byte[length];
        reply.get(Frames.HEADER, body);
        return switch (Codec.decodeResponse(body)) {
            case Response.Ok o -> Reply.OK;
            case Response.Value(Bytes v) when v == null -> Reply.MISS;
            case Response.Value(Bytes v) when v.equals(Bytes.utf8(value)) -> Reply.HIT;
            case Response.Value(Bytes v) -> throw new IOException("a get answered a value of " + v.length()
                    + " bytes that is not the one set (" + value.length() + " characters)");
            case Response.Error(String code, String message, String leader) -> throw new IOException("the server answered "
                    + code + ": " + message);
            case Response.Stats st -> throw new IOException("a stats reply to a get or set");
            case Response.Ttl t -> throw new IOException("a ttl reply to a get or set");
            case Response.Changed c -> throw new IOException("an expire or persist reply to a get or set");
            case Response.Values v -> throw new IOException("an mget reply to a get or set");
        };
    }
}
