package kvs.protocol;

import java.util.Objects;

/**
 * A client's request: {@code {"op": "get"|"set"|"rm", "key": text[, "value": text]}},
 * {@code {"op": "ping"}}, {@code {"op": "auth", "password": text}} or {@code {"op": "stats"}}.
 */
public sealed interface Request {

    record Get(String key) implements Request {
        public Get {
            Objects.requireNonNull(key, "key");
        }
    }

    record Set(String key, String value) implements Request {
        public Set {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    record Remove(String key) implements Request {
        public Remove {
            Objects.requireNonNull(key, "key");
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
