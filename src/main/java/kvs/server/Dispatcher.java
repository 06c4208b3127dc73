package kvs.server;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one request body into its response body; never throws. */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final KvsEngine engine;
    private final int maxFrame;

    Dispatcher(KvsEngine engine, int maxFrame) {
        this.engine = engine;
        this.maxFrame = maxFrame;
    }

    byte[] handle(byte[] requestBody) {
        byte[] body = Codec.encode(respond(requestBody));
        if (body.length > maxFrame) {
            return Codec.encode(new Response.Error(ErrorCode.TOO_LARGE, "the response of " + body.length
                    + " bytes is above the maximum frame of " + maxFrame + " bytes"));
        }
        return body;
    }

    private Response respond(byte[] requestBody) {
        Request request;
        try {
            request = Codec.decodeRequest(requestBody);
        } catch (ProtocolException e) {
            return new Response.Error(e.code(), e.getMessage());
        }
        try {
            return switch (request) {
                case Request.Get g -> new Response.Value(engine.get(g.key()).orElse(null));
                case Request.Set s -> {
                    engine.set(s.key(), s.value());
                    yield new Response.Ok();
                }
                case Request.Remove r -> {
                    engine.remove(r.key());
                    yield new Response.Ok();
                }
            };
        } catch (KeyNotFoundException e) {
            return new Response.Error(ErrorCode.KEY_NOT_FOUND, e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Response.Error(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (KvsException | RuntimeException e) {
            log.error("request failed: {}", request.getClass().getSimpleName(), e);
            return new Response.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
        }
    }
}
