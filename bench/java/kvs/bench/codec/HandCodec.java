package kvs.bench.codec;

import java.util.Map;

import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * The hand-written CBOR codec kvs used before jackson-dataformat-cbor (commit 2ea961d), kept only
 * as {@link CodecBenchmark}'s baseline, so old and new are measured side by side in one run.
 */
final class HandCodec {

    private HandCodec() {
    }

    static byte[] encode(Request request) {
        return switch (request) {
            case Request.Get g -> new HandCborWriter().map(2).text("op").text("get").text("key").text("key", g.key().utf8()).toByteArray();
            case Request.Remove r -> new HandCborWriter().map(2).text("op").text("rm").text("key").text("key", r.key().utf8()).toByteArray();
            case Request.Set s -> new HandCborWriter().map(3).text("op").text("set").text("key").text("key", s.key().utf8())
                    .text("value").text("value", s.value().utf8()).toByteArray();
            default -> throw new UnsupportedOperationException("the old codec had no " + request); // ping, auth, stats came later
        };
    }

    static byte[] encode(Response response) {
        return switch (response) {
            case Response.Ok ok -> new HandCborWriter().map(1).text("ok").bool(true).toByteArray();
            case Response.Value v -> {
                HandCborWriter w = new HandCborWriter().map(2).text("ok").bool(true).text("value");
                yield (v.value() == null ? w.nul() : w.text("value", v.value().utf8())).toByteArray();
            }
            case Response.Error e -> new HandCborWriter().map(3).text("ok").bool(false)
                    .text("code").text(e.code()).text("msg").text(e.message()).toByteArray();
            default -> throw new UnsupportedOperationException("the old codec had no " + response);
        };
    }

    /**
     * Decodes a request body.
     *
     * @throws ProtocolException {@code malformed} if the body is not exactly one well-formed CBOR
     *                           item; {@code bad_request} if it is not a valid request
     */
    static Request decodeRequest(byte[] body) throws ProtocolException {
        Map<String, Object> fields = HandCborMap.read(body, "a request");
        Object op = fields.get("op");
        if (op == null) {
            throw badRequest("the request has no 'op'");
        }
        if (!(op instanceof String name)) {
            throw badRequest("'op' must be text, not " + op);
        }
        return switch (name) {
            case "get" -> new Request.Get(text(fields, "key"));
            case "rm" -> new Request.Remove(text(fields, "key"));
            case "set" -> new Request.Set(text(fields, "key"), text(fields, "value"));
            default -> throw badRequest("unknown op '" + name + "'");
        };
    }

    /**
     * Decodes a response body.
     *
     * @throws ProtocolException if the body is not a well-formed, valid response
     */
    static Response decodeResponse(byte[] body) throws ProtocolException {
        Map<String, Object> fields = HandCborMap.read(body, "a response");
        Object ok = fields.get("ok");
        if (Boolean.TRUE.equals(ok)) {
            if (!fields.containsKey("value")) {
                return new Response.Ok();
            }
            Object value = fields.get("value");
            return new Response.Value(value == HandCborMap.NULL ? null : text(fields, "value"));
        }
        if (Boolean.FALSE.equals(ok)) {
            return new Response.Error(text(fields, "code"), text(fields, "msg"));
        }
        throw badRequest("a response needs 'ok' as true or false");
    }

    private static String text(Map<String, Object> fields, String name) throws ProtocolException {
        Object value = fields.get(name);
        if (value == null) {
            throw badRequest("missing field '" + name + "'");
        }
        if (!(value instanceof String s)) {
            throw badRequest("'" + name + "' must be text, not " + value);
        }
        return s;
    }

    private static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }
}
