package kvs.cluster;

import java.nio.file.Path;

import kvs.KvsException;
import kvs.engine.EngineOptions;
import kvs.engine.MvStoreEngine;
import kvs.store.Store;

/** {@link ShardedNodeTest} over MvStoreEngine shards: the shards' engines share a table of watched keys alike. */
class ShardedNodeMvStoreTest extends ShardedNodeTest {

    @Override
    Store open(Path dir, EngineOptions options) throws KvsException {
        return MvStoreEngine.open(dir, options);
    }
}
