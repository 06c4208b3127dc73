package kvs;

import java.util.Optional;

/**
 * A write sent to a member of a replicated group that is not its leader (docs/CLUSTER.md:
 * {@code not_leader}); names the leader's kvs address when the member knows it. Nothing was
 * written: send the write to the leader.
 */
public final class NotLeaderException extends KvsException {

    private static final long serialVersionUID = 1L;

    /** The leader's kvs address as HOST:PORT, or null when no leader is known. */
    private final String leader;

    /**
     * Creates the refusal of a member that is not the leader.
     *
     * @param leader the leader's kvs address as HOST:PORT, or null when no leader is known
     */
    public NotLeaderException(String leader) {
        super(leader == null ? "not the leader; no leader is known now" : "not the leader; the leader is " + leader);
        this.leader = leader;
    }

    /**
     * The leader's kvs address, if this member knows it.
     *
     * @return HOST:PORT ({@code [::1]:4000} for IPv6), or empty when no leader is known
     */
    public Optional<String> leader() {
        return Optional.ofNullable(leader);
    }
}
