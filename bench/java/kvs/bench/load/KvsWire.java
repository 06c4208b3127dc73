package kvs.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;

/** The kvs protocol: length-prefixed CBOR frames, encoded and decoded by the library's own codec. */
final class KvsWire implements Wire {

    /** A frame's header and the CBOR around a key and a value, with room to spare. */
    private static final int OVERHEAD = 64;

    private final String value;

    KvsWire(String value) {
        this.value = value;
    }

    @Override
    public int maxRequestBytes() {
        return Frames.HEADER + OVERHEAD + Keys.LENGTH + value.length();
    }

    @Override
    public int maxReplyBytes() {
        return Frames.HEADER + OVERHEAD + value.length();
    }

    @Override
    public void writeGet(ByteBuffer out, int key) {
        frame(out, Codec.encode(new Request.Get(Keys.name(key))));
    }

    @Override
    public void writeSet(ByteBuffer out, int key) {
        frame(out, Codec.encode(new Request.Set(Keys.name(key), value)));
    }

    private static void frame(ByteBuffer out, byte[] body) {
        out.putInt(body.length).put(body);
    }

    @Override
    public Reply read(ByteBuffer in) throws IOException {
        int start = in.position();
        if (in.remaining() < Frames.HEADER) {
            return null;
        }
        int length = Frames.checkLength(Integer.toUnsignedLong(in.getInt(start)), maxReplyBytes());
        if (in.remaining() < Frames.HEADER + length) {
            return null;
        }
        byte[] body = new byte[length];
        in.position(start + Frames.HEADER).get(body);
        return switch (Codec.decodeResponse(body)) {
            case Response.Ok ok -> Reply.OK;
            case Response.Value(String v) when v == null -> Reply.MISS;
            case Response.Value(String v) when v.equals(value) -> Reply.HIT;
            case Response.Value(String v) -> throw new IOException("a get answered a value of " + v.length()
                    + " characters that is not the one set (" + value.length() + " characters)");
            case Response.Error(String code, String message) -> throw new IOException("the server answered "
                    + code + ": " + message);
        };
    }
}
