package kvs.store;

import java.util.Objects;
import java.util.UUID;

/**
 * A write's identity as its client gives it (the kvs protocol's {@code "cid"}, a 16-byte client
 * id, and {@code "seq"}, increasing per client): a replicated group applies a write retried with
 * the same pair once (docs/CLUSTER.md).
 *
 * @param client the client's id
 * @param seq    the write's number among its client's, from 0
 */
public record WriteId(UUID client, long seq) {

    /**
     * Checks the identity.
     *
     * @throws IllegalArgumentException if {@code seq} is negative
     */
    public WriteId {
        Objects.requireNonNull(client, "client");
        if (seq < 0) {
            throw new IllegalArgumentException("a write's seq is a whole number from 0, not " + seq);
        }
    }
}
