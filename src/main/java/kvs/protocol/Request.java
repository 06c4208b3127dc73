package kvs.protocol;

import java.util.Objects;

import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * A client's request: {@code {"op": "get"|"set"|"rm", "key": bytes[, "value": bytes]}},
 * {@code {"op": "ping"}}, {@code {"op": "auth", "password": text}} or {@code {"op": "stats"}}.
 * A key or value goes as CBOR text when its bytes are UTF-8 and as a byte string otherwise; a
 * server takes either. A set or rm may carry {@code "cid"} and {@code "seq"} ({@link WriteId}),
 * so a replicated group applies it once however often it is retried.
 */
public sealed interface Request {

    record Get(Bytes key) implements Request {
        public Get {
            Objects.requireNonNull(key, "key");
        }

        /** A get of the UTF-8 of {@code key}. */
        public Get(String key) {
            this(Bytes.utf8(key));
        }
    }

    /** @param id the write's identity, or null */
    record Set(Bytes key, Bytes value, WriteId id) implements Request {
        public Set {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        /** A set of the UTF-8 of {@code key} and {@code value}. */
        public Set(String key, String value) {
            this(Bytes.utf8(key), Bytes.utf8(value), null);
        }
    }

    /** @param id the write's identity, or null */
    record Remove(Bytes key, WriteId id) implements Request {
        public Remove {
            Objects.requireNonNull(key, "key");
        }

        /** A remove of the UTF-8 of {@code key}. */
        public Remove(String key) {
            this(Bytes.utf8(key), null);
        }
    }

    /** Answered {@code {"ok": true}}, before authentication too. */
    record Ping() implements Request {
    }

    /** Authenticates the connection (README.md, "Running it safely"). */
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
