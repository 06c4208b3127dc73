package kvs.cluster;

import kvs.engine.MvStoreEngine;

/** {@link ClusterWatchTest} over members whose engine is MvStoreEngine. */
class ClusterWatchMvStoreTest extends ClusterWatchTest {

    @Override
    LocalGroup.Opener opener() {
        return MvStoreEngine::open;
    }
}
