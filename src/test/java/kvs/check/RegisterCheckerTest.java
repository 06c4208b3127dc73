package kvs.check;

import static kvs.check.RegisterChecker.Op.get;
import static kvs.check.RegisterChecker.Op.remove;
import static kvs.check.RegisterChecker.Op.set;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RegisterCheckerTest {

    @Test
    void sequentialHistories_followTheRegister() {
        assertThat(RegisterChecker.linearizable(List.of(get(null, 0, 1), set("a", 2, 3), get("a", 4, 5),
                remove(true, 6, 7), remove(false, 8, 9), get(null, 10, 11)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), get("b", 2, 3)))).isFalse();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), remove(false, 2, 3)))).isFalse();
        assertThat(RegisterChecker.linearizable(List.of(get("a", 0, 1), set("a", 2, 3)))).as("read before the write").isFalse();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), set("b", 2, 3), get("a", 4, 5)))).as("stale read").isFalse();
    }

    @Test
    void overlappingOperations_mayTakeEitherOrder() {
        // set a [0,10] overlaps set b [5,15]; later reads must agree on one order
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 10), set("b", 5, 15), get("a", 20, 21)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 10), set("b", 5, 15), get("b", 20, 21)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 10), set("b", 5, 15), get("a", 20, 21),
                get("b", 22, 23)))).as("a then b is only allowed if b comes last").isFalse();
        // a read overlapping a write may see the old or the new value
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), set("b", 5, 15), get("a", 6, 7), get("b", 8, 9)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), set("b", 5, 15), get("b", 6, 7), get("a", 8, 9))))
                .as("a read of the new value, then one of the old").isFalse();
    }

    @Test
    void aWriteWhoseOutcomeIsUnknown_mayTakeEffectLaterOrNever_butOnlyOnce() {
        RegisterChecker.Op maybeB = RegisterChecker.Op.unknown(set("b", 2, 3));
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeB, get("b", 4, 5)))).as("it happened").isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeB, get("a", 4, 5)))).as("not (yet)").isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeB, get("a", 4, 5), get("b", 6, 7))))
                .as("later").isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeB, get("b", 4, 5), get("a", 6, 7))))
                .as("a value back with no write of it").isFalse();
        assertThat(RegisterChecker.linearizable(List.of(get("b", 0, 1), maybeB))).as("before it was sent").isFalse();
        RegisterChecker.Op maybeRemoved = RegisterChecker.Op.unknown(remove(true, 2, 3));
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeRemoved, get(null, 4, 5)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(set("a", 0, 1), maybeRemoved, get("a", 4, 5)))).isTrue();
        assertThat(RegisterChecker.linearizable(List.of(maybeRemoved, get(null, 4, 5), set("a", 6, 7)))).isTrue();
    }

    @Test
    void longHistoriesWithOverlaps_areCheckedQuickly() {
        List<RegisterChecker.Op> ops = new ArrayList<>();
        for (int i = 0; i < 5000; i++) { // writes overlapping their neighbours, reads of the last
            ops.add(set("v" + i, 10L * i, 10L * i + 15));
            ops.add(get("v" + i, 10L * i + 16, 10L * i + 17));
        }
        assertThat(RegisterChecker.linearizable(ops)).isTrue();
        ops.add(get("v0", 60_000, 60_001));
        assertThat(RegisterChecker.linearizable(ops)).isFalse();
    }
}
