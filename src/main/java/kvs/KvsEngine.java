package kvs;

import java.util.Optional;

/**
 * A persistent string key/value store; one instance is shared by every thread that uses it.
 */
public interface KvsEngine extends AutoCloseable {

    /**
     * Stores {@code value} under {@code key}, replacing any earlier value.
     *
     * @param key   the key
     * @param value the value to store
     * @throws KvsException if the write cannot be made durable per the engine's policy
     */
    void set(String key, String value) throws KvsException;

    /**
     * Returns the value stored under {@code key}, or empty when the key is absent.
     *
     * @param key the key to read
     * @return the stored value, or empty when the key is absent
     * @throws KvsException if the stored value cannot be read or fails its checksum
     */
    Optional<String> get(String key) throws KvsException;

    /**
     * Removes {@code key}.
     *
     * @param key the key to remove
     * @throws KeyNotFoundException if the key is absent
     * @throws KvsException if the removal cannot be made durable per the engine's policy
     */
    void remove(String key) throws KvsException;

    /**
     * Flushes per the durability policy and releases the engine's files and directory lock.
     *
     * @throws KvsException if the final flush fails
     */
    @Override
    void close() throws KvsException;
}
