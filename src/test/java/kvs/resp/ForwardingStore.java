package kvs.resp;

import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Entry;
import kvs.store.KeyDeadline;
import kvs.store.Store;
import kvs.store.StoreFigures;
import kvs.store.Watches;
import kvs.store.Write;

/** A store that passes every call on to another: tests override what they watch or change. */
abstract class ForwardingStore implements Store {
    final Store store;

    ForwardingStore(Store store) {
        this.store = store;
    }

    @Override
    public void writeAll(List<? extends Write<?>> group) {
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
    public List<Entry> entries(List<Bytes> keys) throws KvsException {
        return store.entries(keys);
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
