package kvs.cluster;

import kvs.KvsException;

/**
 * A shard does not serve a slot it was asked for: the slot moved to another shard (or is moving
 * in) since the request was routed. {@link ShardedNode} routes the request again by the slot map.
 */
final class SlotNotServed extends KvsException {

    private static final long serialVersionUID = 1L;

    private final int slot;

    SlotNotServed(int slot) {
        super("slot " + slot + " is not served by this shard now");
        this.slot = slot;
    }

    /** The slot. */
    int slot() {
        return slot;
    }
}
