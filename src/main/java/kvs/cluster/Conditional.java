package kvs.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import kvs.KvsException;
import kvs.internal.Transaction;
import kvs.internal.Write;

/**
 * A read-modify-write as a replicated group logs it: what the leader read when it ran the
 * transaction (each key's value, and the keys present if it listed them) and the writes it
 * returned. Every member applies the writes only if it reads the same at that point in the log
 * (as one engine transaction, so nothing comes between the check and the writes); otherwise the
 * entry's answer is a conflict and the leader runs the transaction again. The check is of the
 * values themselves, so every member decides alike whatever each has restarted from.
 * <p>
 * The transactions of {@code kvs.resp} keep what they read for their replies: the leader runs
 * the caller's own transaction, and those replies stand once the group has applied its writes
 * under these conditions. A transaction that refused (an INCR of a word) is logged without writes,
 * so the refusal too is checked against the state it was made from.
 */
final class Conditional implements Transaction {

    /** Each key the transaction read, in order, and the value it saw (null: absent). */
    private final Map<String, String> reads;
    /** The keys present when the transaction listed them, or null if it did not. */
    private final Set<String> keys;
    private final List<Write> writes;
    /** Set by {@link #run}: whether the member read what the leader did. */
    private boolean held;

    Conditional(Map<String, String> reads, Set<String> keys, List<Write> writes) {
        this.reads = reads;
        this.keys = keys;
        this.writes = writes;
    }

    Map<String, String> reads() {
        return reads;
    }

    /** The keys listed, or null. */
    Set<String> keys() {
        return keys;
    }

    List<Write> writes() {
        return writes;
    }

    /** After the engine ran this: whether the conditions held (and the writes were applied, unless the engine refused them). */
    boolean held() {
        return held;
    }

    /** Applies the writes if {@code view} reads as the leader's did; nothing otherwise. */
    @Override
    public List<Write> run(View view) throws KvsException {
        held = false;
        for (Map.Entry<String, String> r : reads.entrySet()) {
            if (!Objects.equals(view.get(r.getKey()), r.getValue())) {
                return List.of();
            }
        }
        if (keys != null && !keys.equals(userKeys(view.keys()))) {
            return List.of();
        }
        held = true;
        return writes;
    }

    /** {@code all} without the keys a group keeps for itself. */
    static Set<String> userKeys(Collection<String> all) {
        Set<String> out = new HashSet<>(all);
        out.removeIf(ClusterNode::reserved);
        return out;
    }

    /**
     * A caller's transaction run by the leader over {@code view}: what it read and wrote, or,
     * when it refused (an {@link IllegalArgumentException}), what it read and that refusal.
     */
    record Run(Conditional logged, IllegalArgumentException refusal) {
    }

    /** Runs {@code transaction} over {@code view}, recording what it reads; a reserved key is refused. */
    static Run run(Transaction transaction, View view) throws KvsException {
        Recording recording = new Recording(view);
        try {
            List<Write> writes = new ArrayList<>(transaction.writesIn(recording));
            for (Write w : writes) {
                if (ClusterNode.reserved(w.key())) {
                    throw ClusterNode.reservedKey();
                }
            }
            return new Run(new Conditional(recording.reads, recording.listed, writes), null);
        } catch (IllegalArgumentException e) {
            return new Run(new Conditional(recording.reads, recording.listed, List.of()), e);
        }
    }

    /** A view that remembers what was read through it: each key's first value, and the keys if listed. */
    private static final class Recording implements View {
        private final View view;
        final Map<String, String> reads = new LinkedHashMap<>();
        Set<String> listed;

        Recording(View view) {
            this.view = view;
        }

        @Override
        public String get(String key) throws KvsException {
            if (ClusterNode.reserved(key)) {
                throw ClusterNode.reservedKey();
            }
            if (reads.containsKey(key)) {
                return reads.get(key);
            }
            String value = view.get(key);
            reads.put(key, value);
            return value;
        }

        @Override
        public Collection<String> keys() throws KvsException {
            if (listed == null) {
                listed = userKeys(view.keys());
            }
            return listed;
        }
    }
}
