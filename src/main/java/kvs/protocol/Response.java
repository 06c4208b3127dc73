package kvs.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import kvs.MovedException;
import kvs.NotLeaderException;
import kvs.store.Bytes;

/** The server's answer to one request, in request order. */
public sealed interface Response {

    /** {@code {"ok": true}}: a set, rm, ping or auth succeeded. */
    record Ok() implements Response {
        /** The one Ok a server needs. */
        public static final Ok INSTANCE = new Ok();
    }

    /**
     * {@code {"ok": true, "value": text | bytes | null}}: a get; {@code value} is null when the key
     * is absent. A value goes as CBOR text when its bytes are UTF-8, as a byte string otherwise.
     */
    record Value(Bytes value) implements Response {
        /** The answer of a get of an absent key. */
        public static final Value ABSENT = new Value((Bytes) null);

        /** The UTF-8 of {@code value}, or null. */
        public Value(String value) {
            this(value == null ? null : Bytes.utf8(value));
        }
    }

    /**
     * {@code {"ok": true, "values": [text | bytes | null, ...]}}: an mget; the values in the order of
     * its keys, null for an absent key (an empty value is empty bytes, not null).
     */
    record Values(List<Bytes> values) implements Response {
        public Values {
            values = Collections.unmodifiableList(new ArrayList<>(values)); // null items: absent keys
        }
    }

    /**
     * The answer of a ttl: {@code {"ok": true, "exists": false}} for an absent key,
     * {@code {"ok": true, "exists": true, "deadline": null}} for a key without a deadline, and
     * {@code {"ok": true, "exists": true, "deadline": D, "ttl": T}} for a key that expires after
     * {@code D} (Unix milliseconds), {@code T} milliseconds from when the server read it.
     *
     * @param deadline the key's deadline, or 0 when it has none (or is absent)
     * @param ttl      milliseconds left until the deadline, or 0 when it has none
     */
    record Ttl(boolean exists, long deadline, long ttl) implements Response {
        /** The answer for an absent key. */
        public static final Ttl ABSENT = new Ttl(false, 0, 0);
        /** The answer for a key without a deadline. */
        public static final Ttl NO_DEADLINE = new Ttl(true, 0, 0);

        public Ttl {
            if (deadline < 0 || ttl < 0 || (!exists || deadline == 0) && (deadline != 0 || ttl != 0)) {
                throw new IllegalArgumentException("not a key's deadline and time to live: exists " + exists
                        + ", deadline " + deadline + ", ttl " + ttl);
            }
        }

        /** The answer for a present key whose deadline is {@code deadline}, {@code ttl} milliseconds away. */
        public static Ttl expiring(long deadline, long ttl) {
            if (deadline == 0) {
                throw new IllegalArgumentException("a deadline is a positive Unix time in milliseconds: 0");
            }
            return new Ttl(true, deadline, ttl);
        }
    }

    /** {@code {"ok": true, "changed": true | false}}: an expire (whether the key was present) or a persist (whether it had a deadline). */
    record Changed(boolean changed) implements Response {
        public static final Changed TRUE = new Changed(true);
        public static final Changed FALSE = new Changed(false);

        public static Changed of(boolean changed) {
            return changed ? TRUE : FALSE;
        }
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

        /**
         * The error that answers a request which failed with {@code e}: a missing key, a refused
         * argument, no leader here (naming it), an unavailable group, or else an internal error.
         */
        public static Error of(Exception e) {
            ErrorCode code = ErrorCode.of(e);
            String message = String.valueOf(e.getMessage());
            return switch (e) {
                case NotLeaderException n -> new Error(code.wireName(), message, n.leader().orElse(null));
                case MovedException m -> new Error(code.wireName(), message, m.address());
                default -> new Error(code, message);
            };
        }

        /** Whether this error has the given code. */
        public boolean is(ErrorCode code) {
            return this.code.equals(code.wireName());
        }
    }
}
