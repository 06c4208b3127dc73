package kvs.protocol;

import java.util.Objects;

/** A client's request: {@code {"op": "get"|"set"|"rm", "key": text[, "value": text]}}. */
public sealed interface Request {

    /** The key the request is about. */
    String key();

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
}
