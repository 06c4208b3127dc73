package kvs.cluster;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One member of a replicated group (docs/CLUSTER.md): its id, the address its clients use (the kvs
 * protocol), the address its Raft peers use (gRPC), and its RESP address, which a sharded cluster
 * names in its redirections (null when not given). Every member of a group is listed with the
 * same addresses on every member.
 */
public record Member(String id, InetSocketAddress kvs, InetSocketAddress raft, InetSocketAddress resp) {

    /** A member whose RESP address is not given. */
    public Member(String id, InetSocketAddress kvs, InetSocketAddress raft) {
        this(id, kvs, raft, null);
    }

    public Member {
        Objects.requireNonNull(kvs, "kvs");
        Objects.requireNonNull(raft, "raft");
        if (id == null || id.isBlank() || !id.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a member id is letters, digits, '_', '.' or '-', not '" + id + "'");
        }
    }
}
