package kvs.cluster;

import java.io.IOException;

import kvs.KvsException;
import kvs.store.Store;
import kvs.store.Watches;

/**
 * Opens the engine of each shard a process of a sharded cluster hosts, when it starts or when a
 * shard added to the cluster comes to it. The engines share one table of watched keys
 * ({@link #watches}), so one watch covers keys of any shard.
 */
public interface ShardEngines {

    /**
     * Opens shard {@code shard}'s engine here, creating it if it is new; called once per shard.
     *
     * @param shard the shard's number
     * @return its engine, which the process owns from then on
     * @throws IOException  if it cannot be opened
     * @throws KvsException if its data cannot be read
     */
    Store open(int shard) throws IOException, KvsException;

    /**
     * The table of watched keys every engine {@link #open} gives moves.
     *
     * @return the table
     */
    Watches watches();
}
