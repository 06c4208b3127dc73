package kvs.internal;

import java.util.Objects;

/**
 * One set or remove of a group handed to {@link GroupWriter#writeAll}; the engine records its
 * outcome on it. Not API.
 */
public final class Write {

    private final String key;
    /** Null for a remove. */
    private final String value;
    /** Written by the engine before writeAll returns; read by the caller after. */
    private Exception failure;

    private Write(String key, String value) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = value;
    }

    public static Write set(String key, String value) {
        return new Write(key, Objects.requireNonNull(value, "value"));
    }

    public static Write remove(String key) {
        return new Write(key, null);
    }

    public String key() {
        return key;
    }

    /** The value to set, or null for a remove. */
    public String value() {
        return value;
    }

    public boolean isRemove() {
        return value == null;
    }

    /**
     * Why this write failed: a {@link kvs.KeyNotFoundException} (a remove of an absent key), an
     * {@link IllegalArgumentException} (a key or value the engine cannot store), another
     * {@link kvs.KvsException}; null once it is durable per the engine's policy.
     */
    public Exception failure() {
        return failure;
    }

    public void fail(Exception e) {
        failure = Objects.requireNonNull(e, "e");
    }
}
