package kvs.protocol;

import java.util.List;
import java.util.Objects;

import kvs.store.Bytes;
import kvs.store.WriteId;

/**
 * A client's request: {@code {"op": "get"|"set"|"rm"|"ttl"|"expire"|"persist", "key": bytes[, "value": bytes]}},
 * {@code {"op": "mget", "keys": [bytes, ...]}}, {@code {"op": "ping"}}, {@code {"op": "auth", "password": text}}
 * or {@code {"op": "stats"}}.
 * A key or value goes as CBOR text when its bytes are UTF-8 and as a byte string otherwise; a
 * server takes either. A set may carry an {@link Expiry}, an expire must. A set or rm may carry
 * {@code "cid"} and {@code "seq"} ({@link WriteId}), so a replicated group applies it once
 * however often it is retried.
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

    /**
     * A read of several keys together, answered with their values in key order ({@link Response.Values}):
     * no transaction's writes are seen in part.
     *
     * @param keys one to {@value #MAX_KEYS} keys, repeats allowed
     */
    record GetAll(List<Bytes> keys) implements Request {
        /** The most keys one mget may read: RESP's most arguments of one command. */
        public static final int MAX_KEYS = 1024 * 1024;

        public GetAll {
            keys = List.copyOf(keys);
            if (keys.isEmpty() || keys.size() > MAX_KEYS) {
                throw new IllegalArgumentException("an mget reads 1 to " + MAX_KEYS + " keys, not " + keys.size());
            }
        }
    }

    /**
     * @param expiry when the key expires, or null for never; a time to live must be positive
     * @param id     the write's identity, or null
     */
    record Set(Bytes key, Bytes value, Expiry expiry, WriteId id) implements Request {
        public Set {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (expiry instanceof Expiry.After(long millis) && millis == 0) {
                throw new IllegalArgumentException("'ttl' must be a positive number of milliseconds: 0");
            }
        }

        /** A set of a key that does not expire. */
        public Set(Bytes key, Bytes value, WriteId id) {
            this(key, value, null, id);
        }

        /** A set of the UTF-8 of {@code key} and {@code value}, which does not expire. */
        public Set(String key, String value) {
            this(Bytes.utf8(key), Bytes.utf8(value), null, null);
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

    /** Answered with the key's deadline and time to live, or that it has none, or that the key is absent. */
    record Ttl(Bytes key) implements Request {
        public Ttl {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Gives an existing key a deadline; answered whether the key was present. A time to live of 0,
     * or a deadline not after the time the server applies it, removes the key.
     */
    record Expire(Bytes key, Expiry expiry) implements Request {
        public Expire {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expiry, "expiry");
        }
    }

    /** Removes a key's deadline, so it no longer expires; answered whether it had one. */
    record Persist(Bytes key) implements Request {
        public Persist {
            Objects.requireNonNull(key, "key");
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

    /**
     * Moves {@code count} slots of shard {@code from} with their keys to shard {@code to} (a sharded
     * cluster, docs/CLUSTER.md); answered {@code {"ok": true}} once the move is done.
     */
    record MoveSlots(int from, int to, int count) implements Request {
        public MoveSlots {
            if (from < 0 || to < 0 || count < 1) {
                throw new IllegalArgumentException("a move names two shards (0 or more) and 1 slot or more: " + from + " " + to + " " + count);
            }
        }
    }

    /**
     * Adds a shard of {@code members} to a sharded cluster (docs/CLUSTER.md, "Adding a shard"): each
     * a process's id, or {@code ID=KVS_HOST:PORT,RAFT_HOST:PORT,RESP_HOST:PORT} for one that joined;
     * answered {@code {"ok": true}} once the shard has a leader.
     */
    record AddShard(List<String> members) implements Request {
        public AddShard {
            members = List.copyOf(members);
            if (members.isEmpty() || members.stream().anyMatch(m -> m.isEmpty() || m.contains(" "))) {
                throw new IllegalArgumentException("a shard's members are named without spaces, one or more: " + members);
            }
        }
    }

    /** Moves slots until every shard of a sharded cluster owns an even share; answered {@code {"ok": true}} once done. */
    record Rebalance() implements Request {
    }
}
