package kvs.cluster;

import kvs.store.Refusal;

/**
 * A shard's log refused a write because the write's slot is moving between shards (its ownership
 * fence): nothing of it was applied; the leader sends it again where the slot is served next.
 * Clients that see it read Redis's {@code TRYAGAIN}.
 */
final class SlotMoving extends Refusal {

    private static final long serialVersionUID = 1L;

    private final int slot;

    SlotMoving(int slot) {
        super("TRYAGAIN slot " + slot + " is moving between shards; try again");
        this.slot = slot;
    }

    /** The slot that is moving. */
    int slot() {
        return slot;
    }
}
