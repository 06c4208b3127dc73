package kvs.protocol.server;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.command.Deadlines;
import kvs.command.Ops;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.Guard;
import kvs.slots.HashSlot;
import kvs.store.Outcome;
import kvs.store.Refusal;
import kvs.store.Store;
import kvs.store.Write;

/**
 * The kvs-protocol requests a connection has whole in its buffer, answered together: request i
 * is operation i of {@link #ops}, and a request answered without the engine (a frame that did not
 * decode, ping, auth, a request refused before authentication) has its reply in place. Reused by
 * its connection from one batch to the next; it starts small, so an idle connection costs little.
 */
final class Batch {

    /** Enough to take every small frame an 8 KiB buffer can hold. */
    static final int MAX = 1024;
    private static final int INITIAL = 8;
    private static final Response UNAUTHENTICATED = new Response.Error(ErrorCode.UNAUTHORIZED,
            "authentication required: send {\"op\": \"auth\", \"password\": ...} first");
    private static final Response CROSSSLOT = new Response.Error(ErrorCode.BAD_REQUEST,
            "the keys of one request must hash to one slot in a sharded cluster (a {hash tag} makes them)");
    private static final Response WRONG_PASSWORD = new Response.Error(ErrorCode.UNAUTHORIZED, "invalid password");
    private static final Response NO_PASSWORD = new Response.Error(ErrorCode.BAD_REQUEST,
            "auth called without any password configured on the server");

    final Ops ops = new Ops();
    private final Guard guard;
    private final Supplier<Map<String, Object>> figures;
    /** The store, for the requests that change a sharded cluster's slots. */
    private final Store store;
    /** The store's clock: a time to live counts from it (in a replicated group, the leader's: only it takes writes). */
    private final InstantSource clock;
    /** Whether the store is a sharded cluster's: each keyed request then runs on its slot's shard. */
    private final boolean sharded;
    /** The reply of each request answered without the engine; null for the others. */
    private Response[] fixed = new Response[INITIAL];
    /** Each request's op ("get", "set"...), or null for a frame that did not decode. */
    private String[] kinds = new String[INITIAL];
    /** The requests of the frames being added, or why each did not decode; empty between additions. */
    private Request[] decoded = new Request[INITIAL];
    private ProtocolException[] failures = new ProtocolException[INITIAL];

    /**
     * @param guard   the connection's gate: requests other than ping and auth wait for it to open
     * @param figures the server's figures, for stats
     * @param clock   the store's clock, which turns a set's time to live into a deadline and counts a ttl's time left
     * @param store   the store: its clock turns a set's time to live into a deadline and counts a ttl's
     *                time left; whether it is a sharded cluster's ({@link Store#sharded}) makes each keyed
     *                request run on its slot's shard; it moves slots ({@link Store#moveSlots})
     */
    Batch(Guard guard, Supplier<Map<String, Object>> figures, Store store) {
        this.guard = guard;
        this.figures = figures;
        this.store = store;
        this.clock = store.clock();
        this.sharded = store.sharded();
    }

    int size() {
        return ops.size();
    }

    boolean isEmpty() {
        return ops.size() == 0;
    }

    /**
     * Adds the requests of {@code count} whole frames that follow one another in {@code buf} from
     * {@code off} (their lengths checked), or for each that does not decode, the error; the
     * frames' headers are overwritten ({@link Codec#decodeRequests}).
     */
    void addFrames(byte[] buf, int off, int count) {
        int first = ops.size();
        if (first + count > fixed.length) {
            fixed = Arrays.copyOf(fixed, Math.min(MAX, Math.max(first + count, 2 * fixed.length)));
            kinds = Arrays.copyOf(kinds, fixed.length);
        }
        if (decoded.length < count) {
            decoded = new Request[fixed.length];
            failures = new ProtocolException[fixed.length];
        }
        Codec.decodeRequests(buf, off, count, decoded, failures);
        for (int j = 0; j < count; j++) {
            int i = first + j;
            Request request = decoded[j];
            if (request == null) {
                ops.none();
                fixed[i] = new Response.Error(failures[j].code(), failures[j].getMessage());
            } else {
                kinds[i] = kind(request);
                add(request, i);
            }
            ops.endRequest();
        }
        Arrays.fill(decoded, 0, count, null);
        Arrays.fill(failures, 0, count, null);
    }

    /** Adds exactly one operation for {@code request}, the {@code i}th. */
    private void add(Request request, int i) {
        switch (request) {
            case Request.Ping p -> answered(i, Response.Ok.INSTANCE);
            case Request.Auth a -> answered(i, authenticate(a.password()));
            case Request r when !guard.open() -> answered(i, UNAUTHENTICATED);
            case Request r when sharded && !inSlot(r) -> answered(i, CROSSSLOT);
            case Request.Get g -> ops.read(g.key());
            case Request.GetAll g -> ops.readAll(g.keys());
            case Request.Set s when s.expiry() == null -> ops.write(Write.set(s.key(), s.value(), s.id()));
            case Request.Set s -> setExpiring(s, i);
            case Request.Remove r -> ops.write(Write.remove(r.key(), r.id()));
            case Request.Ttl t -> ops.readEntry(t.key());
            case Request.Expire e -> ops.write(Write.transaction(KeyExpiry.expire(e.key(), e.expiry())));
            case Request.Persist p -> ops.write(Write.transaction(Deadlines.persist(p.key())));
            case Request.Stats s -> ops.call(keys -> figures.get());
            case Request.MoveSlots m -> ops.call(keys -> store.moveSlots(m.from(), m.to(), m.count()));
            case Request.AddShard a -> ops.call(keys -> store.addShard(a.members()));
            case Request.Rebalance r -> ops.call(keys -> store.rebalance());
        }
    }

    /**
     * Runs {@code request}'s operation on the shard of its keys' slot; false when its keys fall in
     * several slots (one request runs on one shard).
     */
    private boolean inSlot(Request request) {
        int slot = switch (request) {
            case Request.Get g -> HashSlot.of(g.key());
            case Request.GetAll g -> HashSlot.common(g.keys());
            case Request.Set r -> HashSlot.of(r.key());
            case Request.Remove r -> HashSlot.of(r.key());
            case Request.Ttl r -> HashSlot.of(r.key());
            case Request.Expire r -> HashSlot.of(r.key());
            case Request.Persist r -> HashSlot.of(r.key());
            case Request.Ping r -> Ops.NO_SLOT;
            case Request.Auth r -> Ops.NO_SLOT;
            case Request.Stats r -> Ops.NO_SLOT;
            case Request.MoveSlots r -> Ops.NO_SLOT;
            case Request.AddShard r -> Ops.NO_SLOT;
            case Request.Rebalance r -> Ops.NO_SLOT;
        };
        if (slot == HashSlot.SEVERAL) {
            return false;
        }
        ops.inSlot(slot);
        return true;
    }

    /** A set with a deadline, a time to live counted from now; a deadline past 2^63 - 1 ms is refused in place. */
    private void setExpiring(Request.Set s, int i) {
        long deadline;
        try {
            deadline = KeyExpiry.deadline(s.expiry(), clock.millis());
        } catch (Refusal r) {
            answered(i, Response.Error.of(r));
            return;
        }
        ops.write(Write.set(s.key(), s.value(), deadline, s.id()));
    }

    private Response authenticate(String password) {
        if (!guard.passwordSet()) {
            return NO_PASSWORD;
        }
        return guard.authenticate(password.getBytes(StandardCharsets.UTF_8)) ? Response.Ok.INSTANCE : WRONG_PASSWORD;
    }

    private void answered(int i, Response reply) {
        ops.none();
        fixed[i] = reply;
    }

    private static String kind(Request request) {
        return switch (request) {
            case Request.Get g -> "get";
            case Request.GetAll g -> "mget";
            case Request.Set s -> "set";
            case Request.Remove r -> "rm";
            case Request.Ttl t -> "ttl";
            case Request.Expire e -> "expire";
            case Request.Persist p -> "persist";
            case Request.Ping p -> "ping";
            case Request.Auth a -> "auth";
            case Request.Stats s -> "stats";
            case Request.MoveSlots m -> "move_slots";
            case Request.AddShard a -> "add_shard";
            case Request.Rebalance r -> "rebalance";
        };
    }

    /** Request {@code i}'s op ("get", "set"...), or null if its frame did not decode. */
    String kind(int i) {
        return kinds[i];
    }

    /** The reply to request {@code i}, once the dispatcher has executed it. */
    Response reply(int i) {
        if (fixed[i] != null) {
            return fixed[i];
        }
        return switch (ops.op(i)) {
            case Ops.Read r when r.failure() != null -> Response.Error.of(r.failure());
            case Ops.Read r when r.withDeadline() -> ttl(r); // only a ttl reads a deadline
            case Ops.Read r -> value(r);
            case Ops.Writing w -> reply(w.write());
            case Ops.ReadAll r when r.failure() != null -> Response.Error.of(r.failure());
            case Ops.ReadAll r -> values(r);
            case Ops.Call<?> c when c.failure() != null -> Response.Error.of(c.failure());
            case Ops.Call<?> c when !"stats".equals(kinds[i]) -> Response.Ok.INSTANCE; // move_slots, add_shard, rebalance
            case Ops.Call<?> c -> new Response.Stats(stats(c));
            case Ops.Nothing n -> throw new IllegalStateException("request " + i + " has no reply");
        };
    }

    private static Response value(Ops.Read r) {
        try {
            return new Response.Value(r.value());
        } catch (KvsException | RuntimeException e) {
            return Response.Error.of(e);
        }
    }

    private static Response values(Ops.ReadAll r) {
        try {
            return new Response.Values(r.values());
        } catch (KvsException e) {
            throw new IllegalStateException(e); // checked before: no failure
        }
    }

    private Response ttl(Ops.Read r) {
        try {
            return KeyExpiry.ttl(r.entry(), clock.millis());
        } catch (KvsException e) {
            throw new IllegalStateException(e); // checked before: no failure
        }
    }

    /**
     * The reply to a write: OK, or why not (a remove of an absent key: key not found); for an
     * expire or persist (the transactions here), whether it changed the key.
     */
    private static Response reply(Write<?> write) {
        return switch (write.outcome()) {
            case Outcome.Done<?> d when write instanceof Write.Txn<?> -> Response.Changed.of((Boolean) d.value());
            case Outcome.Done<?> d when Boolean.FALSE.equals(d.value()) -> Response.Error.of(new KeyNotFoundException());
            case Outcome.Done<?> d -> Response.Ok.INSTANCE;
            case Outcome.Refused<?> r -> Response.Error.of(r.refusal());
            case Outcome.Failed<?> f -> Response.Error.of(f.cause());
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stats(Ops.Call<?> call) {
        try {
            return (Map<String, Object>) call.result();
        } catch (KvsException e) {
            throw new IllegalStateException(e); // checked before: no failure
        }
    }

    void clear() {
        Arrays.fill(fixed, 0, ops.size(), null);
        Arrays.fill(kinds, 0, ops.size(), null);
        ops.clear();
    }
}
