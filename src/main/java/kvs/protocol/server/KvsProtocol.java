package kvs.protocol.server;

import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Response;
import kvs.session.Link;
import kvs.session.Protocol;
import kvs.session.Refusal;
import kvs.session.Session;

/** The kvs protocol (docs/PROTOCOL.md), length-prefixed CBOR frames, as a server speaks it. */
public final class KvsProtocol {

    /** A {@link FrameSession} per connection; a client turned away is told so in an error frame. */
    public static final Protocol INSTANCE = new Protocol() {
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

    private KvsProtocol() {
    }
}
