package kvs.slots;

import java.util.List;
import java.util.Objects;

/**
 * A sharded cluster as one of its processes sees it now: which shard owns each slot, and which
 * process serves each shard (its Raft leader): what CLUSTER SLOTS, CLUSTER NODES and the other
 * RESP cluster commands report. Nodes are processes, each named by a Redis-style 40-hex id and its
 * RESP address; a process serves every shard it leads, and follows in the others.
 */
public interface Topology {

    /**
     * A process of the cluster.
     *
     * @param id   its node id: 40 lower-case hex digits, the same on every process
     * @param host its RESP address's IP
     * @param port its RESP port
     * @param bus  its cluster bus port (its Raft port)
     */
    record Node(String id, String host, int port, int bus) {
        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(host, "host");
        }
    }

    /**
     * This process.
     *
     * @return the node this process is
     */
    Node self();

    /**
     * Every process, this one included, in the order the cluster lists its members.
     *
     * @return the nodes
     */
    List<Node> nodes();

    /**
     * The slot map now.
     *
     * @return which shard owns each slot, at its epoch
     */
    SlotMap slots();

    /**
     * The process that serves {@code shard} now: its leader, or, while it has none this process
     * knows of, the member expected to lead it.
     *
     * @param shard 0 to {@code slots().shards() - 1}
     * @return the node
     */
    Node server(int shard);

    /**
     * Whether every shard has a leader this process knows of (CLUSTER INFO's {@code cluster_state:ok}).
     *
     * @return whether every shard is served
     */
    boolean allServed();
}
