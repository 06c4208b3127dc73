package kvs.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kvs.KvsEngine;
import kvs.KvsException;
import kvs.store.Bytes;

/**
 * A client of one kvs-server ({@link KvsClient}) or of a replicated group ({@link GroupClient}):
 * {@link KvsEngine}'s String methods, for UTF-8 text, and the same for keys and values of any
 * bytes; and keys that expire (docs/PROTOCOL.md, "Expiry"). A time to live counts from when the
 * server applies the write, by its clock (a group's leader's); a deadline is an absolute time,
 * kept to the millisecond, after which the key is absent.
 */
public interface Client extends KvsEngine {

    /**
     * The value of {@code key}, as the bytes stored, or empty when the key is absent.
     *
     * @param key the key to read
     * @return the value, or empty when the key is absent
     * @throws KvsException if the server cannot answer
     */
    Optional<Bytes> getBytes(Bytes key) throws KvsException;

    /**
     * The values of {@code keys}, in their order (a key given twice has its value twice), each
     * empty when its key is absent, read together: a transaction's writes (an EXEC, an MSET) are
     * seen whole or not at all. No keys: an empty list, without asking the server.
     *
     * @param keys the keys to read
     * @return one value per key, in the keys' order, empty for an absent key
     * @throws IllegalArgumentException if there are more than {@value kvs.protocol.Request.GetAll#MAX_KEYS} keys
     * @throws KvsException             if the server cannot answer, or the answer is above the maximum
     *                                  frame; a server from before mget answers {@code bad_request}
     */
    List<Optional<Bytes>> getAll(List<Bytes> keys) throws KvsException;

    /**
     * Stores {@code value} under {@code key}, replacing any earlier value.
     *
     * @param key   the key
     * @param value the value, any bytes
     * @throws KvsException if the server cannot answer or refuses the write
     */
    void set(Bytes key, Bytes value) throws KvsException;

    /**
     * Stores {@code value} under {@code key}, which expires {@code ttl} after the server applies
     * the write.
     *
     * @param key   the key
     * @param value the value, any bytes
     * @param ttl   how long after the write the key expires, at least a millisecond
     * @throws IllegalArgumentException if {@code ttl} is under a millisecond, or past 2^63 ms
     * @throws KvsException             if the server refuses it: a deadline past 2^63 - 1 ms, a
     *                                  server that does not support expiry (nothing is written then)
     */
    void set(Bytes key, Bytes value, Duration ttl) throws KvsException;

    /**
     * Stores {@code value} under {@code key}, which expires after {@code deadline} (at once if that
     * is past, as Redis's {@code SET ... PXAT}).
     *
     * @param key      the key
     * @param value    the value, any bytes
     * @param deadline when the key expires
     * @throws IllegalArgumentException if {@code deadline} is not after the Unix epoch
     * @throws KvsException             as {@link #set(Bytes, Bytes, Duration)}
     */
    void set(Bytes key, Bytes value, Instant deadline) throws KvsException;

    /**
     * Whether {@code key} is present, and if so whether and when it expires.
     *
     * @param key the key to look at
     * @return absent, present without a deadline, or present until a deadline
     * @throws KvsException if the server cannot answer
     */
    KeyTtl ttl(Bytes key) throws KvsException;

    /**
     * Makes a present {@code key} expire {@code ttl} after the server applies this; a {@code ttl}
     * of zero removes it (as Redis's EXPIRE).
     *
     * @param key the key
     * @param ttl how long after this the key expires; zero removes it
     * @return whether the key was present
     * @throws IllegalArgumentException if {@code ttl} is negative, or past 2^63 ms
     * @throws KvsException             if the server cannot answer or does not support expiry
     */
    boolean expire(Bytes key, Duration ttl) throws KvsException;

    /**
     * Makes a present {@code key} expire after {@code deadline}; a deadline not after the
     * server's time removes it.
     *
     * @param key      the key
     * @param deadline when the key expires
     * @return whether the key was present
     * @throws IllegalArgumentException if {@code deadline} is not after the Unix epoch
     * @throws KvsException             if the server cannot answer or does not support expiry
     */
    boolean expireAt(Bytes key, Instant deadline) throws KvsException;

    /**
     * Removes {@code key}'s deadline, so it no longer expires.
     *
     * @param key the key
     * @return whether it had one (false for an absent key too)
     * @throws KvsException if the server cannot answer or does not support expiry
     */
    boolean persist(Bytes key) throws KvsException;

    /**
     * Removes {@code key}.
     *
     * @param key the key to remove
     * @throws kvs.KeyNotFoundException if the key is absent
     * @throws KvsException             if the server cannot answer or refuses the write
     */
    void remove(Bytes key) throws KvsException;

    /**
     * {@inheritDoc}
     *
     * @throws KvsException if the value is not UTF-8 text (read it with {@link #getBytes})
     */
    @Override
    default Optional<String> get(String key) throws KvsException {
        return text(key, getBytes(Bytes.utf8(key)), "getBytes");
    }

    /**
     * {@link #getAll(List)} of the UTF-8 of {@code keys}, the values as text.
     *
     * @param keys the keys to read
     * @return one value per key, in the keys' order, empty for an absent key
     * @throws KvsException if a value is not UTF-8 text (read them with {@link #getAll(List)})
     */
    default List<Optional<String>> getAll(String... keys) throws KvsException {
        List<Bytes> utf8 = new ArrayList<>(keys.length);
        for (String key : keys) {
            utf8.add(Bytes.utf8(key));
        }
        List<Optional<Bytes>> values = getAll(utf8);
        List<Optional<String>> texts = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            texts.add(text(keys[i], values.get(i), "getAll(List<Bytes>)"));
        }
        return Collections.unmodifiableList(texts);
    }

    /** {@code value}, read from {@code key}, as text; one that is not UTF-8 fails, naming the method that reads it. */
    private static Optional<String> text(String key, Optional<Bytes> value, String readWith) throws KvsException {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().utf8OrNull();
        if (text == null) {
            throw new KvsException("the value of '" + key + "' is not UTF-8 text (" + value.get().length()
                    + " bytes); read it with " + readWith);
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

    /**
     * {@link #set(Bytes, Bytes, Duration)} of the UTF-8 of {@code key} and {@code value}.
     *
     * @param key   the key
     * @param value the value
     * @param ttl   how long after the write the key expires
     * @throws KvsException as {@link #set(Bytes, Bytes, Duration)}
     */
    default void set(String key, String value, Duration ttl) throws KvsException {
        set(Bytes.utf8(key), Bytes.utf8(value), ttl);
    }

    /**
     * {@link #set(Bytes, Bytes, Instant)} of the UTF-8 of {@code key} and {@code value}.
     *
     * @param key      the key
     * @param value    the value
     * @param deadline when the key expires
     * @throws KvsException as {@link #set(Bytes, Bytes, Instant)}
     */
    default void set(String key, String value, Instant deadline) throws KvsException {
        set(Bytes.utf8(key), Bytes.utf8(value), deadline);
    }

    /**
     * {@link #ttl(Bytes)} of the UTF-8 of {@code key}.
     *
     * @param key the key to look at
     * @return absent, present without a deadline, or present until a deadline
     * @throws KvsException if the server cannot answer
     */
    default KeyTtl ttl(String key) throws KvsException {
        return ttl(Bytes.utf8(key));
    }

    /**
     * {@link #expire(Bytes, Duration)} of the UTF-8 of {@code key}.
     *
     * @param key the key
     * @param ttl how long after this the key expires; zero removes it
     * @return whether the key was present
     * @throws KvsException as {@link #expire(Bytes, Duration)}
     */
    default boolean expire(String key, Duration ttl) throws KvsException {
        return expire(Bytes.utf8(key), ttl);
    }

    /**
     * {@link #expireAt(Bytes, Instant)} of the UTF-8 of {@code key}.
     *
     * @param key      the key
     * @param deadline when the key expires
     * @return whether the key was present
     * @throws KvsException as {@link #expireAt(Bytes, Instant)}
     */
    default boolean expireAt(String key, Instant deadline) throws KvsException {
        return expireAt(Bytes.utf8(key), deadline);
    }

    /**
     * {@link #persist(Bytes)} of the UTF-8 of {@code key}.
     *
     * @param key the key
     * @return whether it had a deadline
     * @throws KvsException as {@link #persist(Bytes)}
     */
    default boolean persist(String key) throws KvsException {
        return persist(Bytes.utf8(key));
    }

    /**
     * Asks the server to answer; returns once it has.
     *
     * @throws KvsException if the server cannot be reached or does not answer in time
     */
    void ping() throws KvsException;

    /**
     * The server's figures by name, in the server's order.
     *
     * @return each figure's name and value, a String or a Long
     * @throws KvsException if the server cannot answer
     */
    Map<String, Object> stats() throws KvsException;
}
