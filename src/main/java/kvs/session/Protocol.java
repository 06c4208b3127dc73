package kvs.session;


/**
 * A wire protocol a listener speaks: a {@link Session} for each connection, and how it turns one
 * away. The kvs protocol's is {@code kvs.protocol.server.KvsProtocol}, RESP's
 * {@code kvs.resp.RespProtocol}: adapters, peers, which the transport only knows by this seam.
 */
public interface Protocol {

    Session open(Link link);

    /** The bytes sent to a client turned away before its connection closes. */
    byte[] refusal(Refusal why);
}
