package kvs.cluster;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One member of a replicated group (docs/CLUSTER.md): its id, the address its clients use (the kvs
 * protocol) and the address its Raft peers use (gRPC). Every member of a group is listed with
 * the same three on every member.
 */
public record Member(String id, InetSocketAddress kvs, InetSocketAddress raft) {

    public Member {
        Objects.requireNonNull(kvs, "kvs");
        Objects.requireNonNull(raft, "raft");
        if (id == null || id.isBlank() || !id.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a member id is letters, digits, '_', '.' or '-', not '" + id + "'");
        }
    }
}
