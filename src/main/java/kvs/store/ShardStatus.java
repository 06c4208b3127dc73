package kvs.store;

import java.util.Objects;

/**
 * One shard of a sharded cluster as one of its processes sees it (docs/CLUSTER.md,
 * "Sharded mode"): its number, its slots, its members, and, where this process is a member, its
 * engine's figures here and this process's place in its Raft group.
 *
 * @param shard  the shard's number, from 0
 * @param slots  its slots, as runs {@code first-last} (or one slot) separated by commas: {@code 0-5460}
 * @param members the ids of its members, separated by commas, the one expected to lead it first: {@code n1,n2,n3}
 * @param figures the figures of the shard's engine here, its group as this process sees it among them
 *                ({@link StoreFigures#member}), or null when this process is not its member
 */
public record ShardStatus(int shard, String slots, String members, StoreFigures figures) {
    /** Checks that the slots and members are given. */
    public ShardStatus {
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(members, "members");
    }

    /**
     * The shard's group as this process sees it.
     *
     * @return its member's view, or null when this process is not its member
     */
    public MemberStatus member() {
        return figures == null ? null : figures.member();
    }
}
