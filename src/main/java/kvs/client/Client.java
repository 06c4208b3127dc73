package kvs.client;

import java.util.Map;
import java.util.Optional;

import kvs.KvsEngine;
import kvs.KvsException;
import kvs.store.Bytes;

/**
 * A client of one kvs-server ({@link KvsClient}) or of a replicated group ({@link GroupClient}):
 * {@link KvsEngine}'s String methods, for UTF-8 text, and the same for keys and values of any bytes.
 */
public interface Client extends KvsEngine {

    /**
     * The value of {@code key}, as the bytes stored, or empty when the key is absent.
     *
     * @throws KvsException if the server cannot answer
     */
    Optional<Bytes> getBytes(Bytes key) throws KvsException;

    /** Stores {@code value} under {@code key}, replacing any earlier value. */
    void set(Bytes key, Bytes value) throws KvsException;

    /**
     * Removes {@code key}.
     *
     * @throws kvs.KeyNotFoundException if the key is absent
     */
    void remove(Bytes key) throws KvsException;

    /**
     * {@inheritDoc}
     *
     * @throws KvsException if the value is not UTF-8 text (read it with {@link #getBytes})
     */
    @Override
    default Optional<String> get(String key) throws KvsException {
        Optional<Bytes> value = getBytes(Bytes.utf8(key));
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().utf8OrNull();
        if (text == null) {
            throw new KvsException("the value of '" + key + "' is not UTF-8 text (" + value.get().length()
                    + " bytes); read it with getBytes");
        }
        return Optional.of(text);
    }

    @Override
    default void set(String key, String value) throws KvsException {
        set(Bytes.utf8(key), Bytes.utf8(value));
    }

    @Override
    default void remove(String key) throws KvsException {
        remove(Bytes.utf8(key));
    }

    /** Asks the server to answer; returns once it has. */
    void ping() throws KvsException;

    /** The server's figures by name (text or Long values), in the server's order. */
    Map<String, Object> stats() throws KvsException;
}
