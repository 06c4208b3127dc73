package kvs.cluster;

import java.net.InetSocketAddress;
import java.util.Optional;

import kvs.KvsException;
import kvs.internal.HostPort;

/** A write sent to a member that is not the leader (DESIGN §11: {@code not_leader}); names the leader's kvs address when known. */
public final class NotLeaderException extends KvsException {

    private static final long serialVersionUID = 1L;

    private final transient InetSocketAddress leader;

    public NotLeaderException(InetSocketAddress leader) {
        super(leader == null ? "not the leader; no leader is known now" : "not the leader; the leader is " + HostPort.show(leader));
        this.leader = leader;
    }

    /** The leader's kvs-protocol address, if this member knows it. */
    public Optional<InetSocketAddress> leader() {
        return Optional.ofNullable(leader);
    }
}
