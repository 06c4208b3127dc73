package kvs.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a concurrent history of one key is linearizable against a register that may be
 * absent: sets write a value, removes clear it (reporting whether it was there), gets read it.
 * The search is Lowe's and Porcupine's: walk the calls and returns in time order, linearize a
 * call whenever the model accepts it, backtrack when a return comes before its call could be
 * placed, and remember every (linearized set, value) already explored so each is tried once.
 */
public final class RegisterChecker {

    /** The kinds of operation; REMOVE_UNKNOWN is a remove whose reply never came (it may have found the key or not). */
    public enum Kind { GET, SET, REMOVE, REMOVE_UNKNOWN }

    /**
     * One completed operation.
     *
     * @param value for SET the value written; for GET the value read (null: absent)
     * @param found for REMOVE whether the key was there
     */
    public record Op(Kind kind, String value, boolean found, long invokedNanos, long returnedNanos) {
        public Op {
            if (returnedNanos < invokedNanos) {
                throw new IllegalArgumentException("returned before invoked");
            }
        }

        public static Op get(String read, long invoked, long returned) {
            return new Op(Kind.GET, read, false, invoked, returned);
        }

        public static Op set(String written, long invoked, long returned) {
            return new Op(Kind.SET, written, false, invoked, returned);
        }

        public static Op remove(boolean found, long invoked, long returned) {
            return new Op(Kind.REMOVE, null, found, invoked, returned);
        }

        /**
         * A write whose outcome is unknown (no reply, or the client gave up): it may have taken
         * effect at any time after it was invoked, or never (taking effect after every other
         * operation is the same as never, to them).
         */
        public static Op unknown(Op write) {
            return write.kind() == Kind.REMOVE
                    ? new Op(Kind.REMOVE_UNKNOWN, null, false, write.invokedNanos(), Long.MAX_VALUE)
                    : new Op(write.kind(), write.value(), write.found(), write.invokedNanos(), Long.MAX_VALUE);
        }
    }

    private RegisterChecker() {
    }

    /** Whether {@code history} (of one key, starting absent) is linearizable. */
    public static boolean linearizable(List<Op> history) {
        return new Search(history).run();
    }

    /** Applies {@code op} to {@code state}: the new state, or {@link #REJECT} if the op cannot happen there. */
    private static Object step(String state, Op op) {
        return switch (op.kind()) {
            case GET -> Objects.equals(state, op.value()) ? state : REJECT;
            case SET -> op.value();
            case REMOVE -> op.found() == (state != null) ? null : REJECT;
            case REMOVE_UNKNOWN -> null;
        };
    }

    private static final Object REJECT = new Object();

    /** A call or a return, in a doubly linked list in time order. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match; // the call's return, or the return's call
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private static final class Search {
        private final List<Op> ops;
        private final Entry head = new Entry(-1, false, Long.MIN_VALUE);

        Search(List<Op> ops) {
            this.ops = ops;
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                Entry call = new Entry(i, true, ops.get(i).invokedNanos());
                Entry ret = new Entry(i, false, ops.get(i).returnedNanos());
                call.match = ret;
                ret.match = call;
                entries.add(call);
                entries.add(ret);
            }
            // Time order; at equal times calls first, so touching operations may overlap.
            entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
            Entry last = head;
            for (Entry e : entries) {
                last.next = e;
                e.prev = last;
                last = e;
            }
        }

        boolean run() {
            record Frame(Entry call, String state) {
            }
            List<Frame> stack = new ArrayList<>();
            Set<Map.Entry<BitSet, Optional<String>>> seen = new HashSet<>();
            BitSet linearized = new BitSet(ops.size());
            String state = null;
            Entry e = head.next;
            while (head.next != null) {
                if (e.call) {
                    Object next = step(state, ops.get(e.op));
                    BitSet tried = (BitSet) linearized.clone();
                    tried.set(e.op);
                    if (next != REJECT && seen.add(Map.entry(tried, Optional.ofNullable((String) next)))) {
                        stack.add(new Frame(e, state));
                        linearized = tried;
                        state = (String) next;
                        lift(e);
                        e = head.next;
                    } else {
                        e = e.next;
                    }
                } else { // a return whose call is not linearized yet: undo the last choice
                    if (stack.isEmpty()) {
                        return false;
                    }
                    Frame f = stack.removeLast();
                    state = f.state();
                    linearized = (BitSet) linearized.clone(); // the one in hand is a key of 'seen': never change it
                    linearized.clear(f.call().op);
                    unlift(f.call());
                    e = f.call().next;
                }
            }
            return true;
        }

        private static void lift(Entry call) {
            call.prev.next = call.next;
            if (call.next != null) {
                call.next.prev = call.prev;
            }
            Entry ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }

        private static void unlift(Entry call) {
            Entry ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
            call.prev.next = call;
            if (call.next != null) {
                call.next.prev = call;
            }
        }
    }
}
