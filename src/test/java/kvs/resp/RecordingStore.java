package kvs.resp;

import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;

/** A store that records every write handed to it, then passes it on. */
final class RecordingStore implements Store {
    private final Store store;
    /** Every write handed to the store, in order. */
    final List<Write<?>> writes = new CopyOnWriteArrayList<>();

    RecordingStore(Store store) {
        this.store = store;
    }

    @Override
    public void writeAll(List<? extends Write<?>> group) {
        writes.addAll(group);
        store.writeAll(group);
    }

    @Override
    public Bytes get(Bytes key) throws KvsException {
        return store.get(key);
    }

    @Override
    public Entry entry(Bytes key) throws KvsException {
        return store.entry(key);
    }

    @Override
    public List<Bytes> getAll(List<Bytes> keys) throws KvsException {
        return store.getAll(keys);
    }

    @Override
    public Watches watches() {
        return store.watches();
    }

    @Override
    public InstantSource clock() {
        return store.clock();
    }

    @Override
    public Iterator<Bytes> keys() throws KvsException {
        return store.keys();
    }

    @Override
    public long size() throws KvsException {
        return store.size();
    }

    @Override
    public List<KeyDeadline> scanDeadlines(int count) throws KvsException {
        return store.scanDeadlines(count);
    }

    @Override
    public Bytes meta(String name) throws KvsException {
        return store.meta(name);
    }

    @Override
    public void sync() throws KvsException {
        store.sync();
    }

    @Override
    public StoreFigures figures() {
        return store.figures();
    }

    @Override
    public void close() throws KvsException {
        store.close();
    }
}
