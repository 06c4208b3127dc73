package kvs.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

import kvs.KvsException;
import kvs.store.Bytes;
import kvs.store.Store;
import kvs.store.Transaction;

/**
 * The whole keyspace as a command reads it (a count, a listing, SCAN): the store's, or inside a
 * transaction its view's, which holds the transaction's own writes so far.
 */
public interface Keyspace {

    /** The keys present, in no particular order; none whose deadline has passed. */
    Iterator<Bytes> keys() throws KvsException;

    /** How many keys are stored: those whose deadline has passed and no write has removed yet too. */
    long size() throws KvsException;

    /** The store's keyspace. */
    static Keyspace of(Store store) {
        return new Keyspace() {
            @Override
            public Iterator<Bytes> keys() throws KvsException {
                return store.keys();
            }

            @Override
            public long size() throws KvsException {
                return store.size();
            }
        };
    }

    /** The keyspace a transaction's {@code view} sees. */
    static Keyspace of(Transaction.View view) {
        return new Keyspace() {
            @Override
            public Iterator<Bytes> keys() throws KvsException {
                Collection<Bytes> stored = view.keys();
                List<Bytes> present = new ArrayList<>(stored.size());
                for (Bytes k : stored) {
                    if (view.entry(k) != null) {
                        present.add(k);
                    }
                }
                return present.iterator();
            }

            @Override
            public long size() throws KvsException {
                return view.keys().size();
            }
        };
    }
}
