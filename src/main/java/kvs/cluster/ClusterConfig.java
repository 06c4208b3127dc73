package kvs.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a node of a replicated group needs to start (docs/CLUSTER.md).
 *
 * @param self            this node's id; one of {@code members}
 * @param members         every member of the group, this node included
 * @param clusterId       the group's name; the Raft group id is derived from it
 * @param electionTimeout the shortest election timeout; the longest is twice it
 * @param raftDir         where Raft keeps its log, metadata and snapshots ({@code DATA/raft})
 * @param snapshotEvery   applied log entries between two snapshots (the log before a snapshot is then purged)
 * @param reads           how reads are made linearizable
 */
public record ClusterConfig(String self, List<Member> members, String clusterId, Duration electionTimeout, Path raftDir,
                            long snapshotEvery, Reads reads) {

    /** How a read is ordered after every write acknowledged before it began (docs/CLUSTER.md's --read). */
    public enum Reads {
        /** Raft ReadIndex: the leader confirms with a majority that it still leads, for every read (the default). */
        LINEARIZABLE,
        /**
         * The leader answers from a lease while its followers' last acknowledgements are younger
         * than 90% of the election timeout, without asking them: faster, and correct only while
         * the members' clocks advance at about the same rate.
         */
        LEASE
    }

    /** The default election timeout: 1 s (Ratis's 150 ms had leaders stepping down under load on two cores). */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofSeconds(1);

    /** The default snapshot interval, in applied log entries: etcd's default too. */
    public static final long DEFAULT_SNAPSHOT_EVERY = 100_000;

    /** A configuration with the default snapshot interval and ReadIndex reads. */
    public ClusterConfig(String self, List<Member> members, String clusterId, Duration electionTimeout, Path raftDir) {
        this(self, members, clusterId, electionTimeout, raftDir, DEFAULT_SNAPSHOT_EVERY, Reads.LINEARIZABLE);
    }

    public ClusterConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(electionTimeout, "electionTimeout");
        Objects.requireNonNull(raftDir, "raftDir");
        Objects.requireNonNull(reads, "reads");
        members = List.copyOf(members);
        Set<String> ids = new HashSet<>();
        for (Member m : members) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("member '" + m.id() + "' is listed twice");
            }
        }
        if (!ids.contains(self)) {
            throw new IllegalArgumentException("this node, '" + self + "', is not among the members " + ids);
        }
        if (electionTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("the election timeout must be at least 100 ms, not " + electionTimeout.toMillis());
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("a snapshot must come every 1 or more applied entries, not " + snapshotEvery);
        }
    }

    /** This node's own entry. */
    public Member selfMember() {
        return member(self);
    }

    /** The member with id {@code id}, or null. */
    public Member member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
    }
}
