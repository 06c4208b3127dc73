package kvs.protocol;

import java.util.Objects;

import kvs.internal.WriteId;

/**
 * A client's request: {@code {"op": "get"|"set"|"rm", "key": text[, "value": text]}},
 * {@code {"op": "ping"}}, {@code {"op": "auth", "password": text}} or {@code {"op": "stats"}}.
 * A set or rm may carry {@code "cid"} and {@code "seq"} ({@link WriteId}), so a replicated group
 * applies it once however often it is retried.
 */
public sealed interface Request {

    record Get(String key) implements Request {
        public Get {
            Objects.requireNonNull(key, "key");
        }
    }

    /** @param id the write's identity, or null */
    record Set(String key, String value, WriteId id) implements Request {
        public Set {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        public Set(String key, String value) {
            this(key, value, null);
        }
    }

    /** @param id the write's identity, or null */
    record Remove(String key, WriteId id) implements Request {
        public Remove {
            Objects.requireNonNull(key, "key");
        }

        public Remove(String key) {
            this(key, null);
        }
    }

    /** Answered {@code {"ok": true}}, before authentication too. */
    record Ping() implements Request {
    }

    /** Authenticates the connection (DESIGN §10). */
    record Auth(String password) implements Request {
        public Auth {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Auth[password hidden]";
        }
    }

    /** Answered with the server's figures. */
    record Stats() implements Request {
    }
}
