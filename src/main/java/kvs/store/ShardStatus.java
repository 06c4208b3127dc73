package kvs.store;

import java.util.Objects;

/**
 * One shard of a sharded cluster as a process that is its member sees it (docs/CLUSTER.md,
 * "Sharded mode"): its number, its slots, and this process's place in its Raft group.
 *
 * @param shard  the shard's number, from 0
 * @param slots  its slots, as runs {@code first-last} (or one slot) separated by commas: {@code 0-5460}
 * @param member the shard's group as this process sees it
 */
public record ShardStatus(int shard, String slots, MemberStatus member) {
    /** Checks that the slots and the member's view are given. */
    public ShardStatus {
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(member, "member");
    }
}
