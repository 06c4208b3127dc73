package kvs.server;

/** A wire protocol a listener speaks: a {@link Session} for each connection. Not API. */
@FunctionalInterface
public interface Protocol {

    /** The kvs protocol of DESIGN §5: length-prefixed CBOR frames. */
    Protocol KVS = FrameSession::new;

    Session open(Link link);
}
