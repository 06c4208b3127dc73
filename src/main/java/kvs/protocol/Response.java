package kvs.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The server's answer to one request, in request order. */
public sealed interface Response {

    /** {@code {"ok": true}}: a set, rm, ping or auth succeeded. */
    record Ok() implements Response {
        /** The one Ok a server needs. */
        public static final Ok INSTANCE = new Ok();
    }

    /** {@code {"ok": true, "value": text | null}}: a get; {@code value} is null when the key is absent. */
    record Value(String value) implements Response {
    }

    /** {@code {"ok": true, "stats": {name: text | integer, ...}}}: the server's figures, in the server's order. */
    record Stats(Map<String, Object> stats) implements Response {
        public Stats {
            Objects.requireNonNull(stats, "stats");
            for (Map.Entry<String, Object> e : stats.entrySet()) {
                if (!(e.getValue() instanceof String) && !(e.getValue() instanceof Long)) {
                    throw new IllegalArgumentException("stat " + e.getKey() + " is neither text nor a whole number: " + e.getValue());
                }
            }
            stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
        }
    }

    /**
     * {@code {"ok": false, "code": text, "msg": text}}, and for {@code not_leader} the leader's
     * address as {@code "leader": "HOST:PORT"} when known (null otherwise). The code is kept as
     * sent, so a client understands the codes it knows and still reports the message of one it does not.
     */
    record Error(String code, String message, String leader) implements Response {
        public Error {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        public Error(String code, String message) {
            this(code, message, null);
        }

        public Error(ErrorCode code, String message) {
            this(code.wireName(), message, null);
        }

        /** Whether this error has the given code. */
        public boolean is(ErrorCode code) {
            return this.code.equals(code.wireName());
        }
    }
}
