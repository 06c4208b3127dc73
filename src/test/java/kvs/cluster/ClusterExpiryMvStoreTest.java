package kvs.cluster;

import kvs.engine.MvStoreEngine;

/** {@link ClusterExpiryTest}'s cases over a group whose members' engine is MvStoreEngine. */
class ClusterExpiryMvStoreTest extends ClusterExpiryTest {

    @Override
    LocalGroup.Opener opener() {
        return MvStoreEngine::open;
    }
}
