package kvs.cluster;

import java.net.InetSocketAddress;
import java.util.Objects;

import kvs.client.HostPort;

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

    /**
     * The member {@code spec} names: {@code ID=KVS_HOST:PORT,RAFT_HOST:PORT[,RESP_HOST:PORT]}, as
     * kvs-server's {@code --peer} and {@code kvs-client cluster add-shard} take it.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static Member parse(String spec) {
        int eq = spec.indexOf('=');
        int comma = spec.indexOf(',', Math.max(eq, 0));
        if (eq <= 0 || comma < 0) {
            throw new IllegalArgumentException("bad member '" + spec + "': expected ID=KVS_HOST:PORT,RAFT_HOST:PORT[,RESP_HOST:PORT]");
        }
        int second = spec.indexOf(',', comma + 1);
        try {
            return new Member(spec.substring(0, eq), HostPort.parse(spec.substring(eq + 1, comma)),
                    HostPort.parse(second < 0 ? spec.substring(comma + 1) : spec.substring(comma + 1, second)),
                    second < 0 ? null : HostPort.parse(spec.substring(second + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad member '" + spec + "': " + e.getMessage(), e);
        }
    }

    /** The member as {@link #parse} reads it. */
    public String spec() {
        return id + "=" + HostPort.show(kvs) + "," + HostPort.show(raft) + (resp == null ? "" : "," + HostPort.show(resp));
    }
}
