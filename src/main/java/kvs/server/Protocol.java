package kvs.server;

import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Response;

/** A wire protocol a listener speaks: a {@link Session} for each connection, and how it turns one away. Not API. */
public interface Protocol {

    /** The kvs protocol (docs/PROTOCOL.md): length-prefixed CBOR frames. */
    Protocol KVS = new Protocol() {
        @Override
        public Session open(Link link) {
            return new FrameSession(link);
        }

        @Override
        public byte[] refusal(Refusal why) {
            ErrorCode code = why == Refusal.MAX_CLIENTS ? ErrorCode.UNAVAILABLE : ErrorCode.UNAUTHORIZED;
            return Frames.frame(Codec.encode(new Response.Error(code, why.message())));
        }
    };

    Session open(Link link);

    /** The bytes sent to a client turned away before its connection closes. */
    byte[] refusal(Refusal why);
}
