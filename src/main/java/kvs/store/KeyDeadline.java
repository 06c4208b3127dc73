package kvs.store;

/**
 * A key that has a deadline, and the deadline, as {@link Store#scanDeadlines} finds them for an
 * expiry cycle.
 *
 * @param key      the key
 * @param deadline its deadline, Unix milliseconds
 */
public record KeyDeadline(Bytes key, long deadline) {
}
