package kvs.resp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import kvs.store.Store;
import kvs.store.Write;

/** A store that records every write handed to it, then passes it on. */
final class RecordingStore extends ForwardingStore {
    /** Every write handed to the store, in order. */
    final List<Write<?>> writes = new CopyOnWriteArrayList<>();

    RecordingStore(Store store) {
        super(store);
    }

    @Override
    public void writeAll(List<? extends Write<?>> group) {
        writes.addAll(group);
        store.writeAll(group);
    }
}
