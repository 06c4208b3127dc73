package kvs.store;

/**
 * A replicated group's member's view of the group now, for stats (docs/CLUSTER.md).
 *
 * @param id           this member's id
 * @param role         leader, follower or candidate (Ratis's role, lower case)
 * @param term         the Raft term it is in
 * @param leader       the leader's id, or null when it knows none
 * @param appliedIndex the index of the last log entry it applied
 */
public record MemberStatus(String id, String role, long term, String leader, long appliedIndex) {
}
