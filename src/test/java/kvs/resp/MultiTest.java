package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import kvs.session.MemoryRoom;
import org.junit.jupiter.api.Test;

/** A transaction's queue: held to the max frame, and beyond its free bytes reserved in the server's budget, all given back. */
class MultiTest {

    /** A budget of {@code capacity} bytes that counts what is reserved. */
    private static final class Budget implements MemoryRoom {
        final long capacity;
        long used;

        Budget(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public boolean reserve(long bytes) {
            if (used + bytes > capacity) {
                return false;
            }
            used += bytes;
            return true;
        }

        @Override
        public void release(long bytes) {
            used -= bytes;
            assertThat(used).isNotNegative();
        }
    }

    private static List<byte[]> set(int valueBytes) {
        return List.of("SET".getBytes(), "k".getBytes(), new byte[valueBytes]);
    }

    @Test
    void aQueueReservesBeyondItsFreeBytes_inSteps_andGivesEverythingBackAtTheEnd() {
        Budget budget = new Budget(1 << 20);
        Multi multi = new Multi(16 << 20, budget);
        multi.begin();
        multi.queue(set(1000));
        assertThat(budget.used).isZero(); // within the free bytes
        for (int i = 0; i < 100; i++) {
            multi.queue(set(1000));
        }
        assertThat(budget.used).isEqualTo(Multi.FREE); // 101 commands of about 1 KiB: one step beyond the free bytes
        assertThat(multi.end()).hasSize(101);
        assertThat(budget.used).isZero();
    }

    @Test
    void aQueueTheBudgetHasNoRoomFor_isRefused_andLetsGoOfItsReservation() {
        Budget budget = new Budget(Multi.FREE);
        Multi multi = new Multi(16 << 20, budget);
        multi.begin();
        multi.queue(set(100_000)); // the free bytes and one step
        assertThat(budget.used).isEqualTo(Multi.FREE);
        assertThatThrownBy(() -> multi.queue(set(100_000))).isInstanceOf(RespError.class)
                .hasMessageContaining("memory budget");
        assertThat(multi.refused()).isTrue();
        assertThat(budget.used).isZero();
        multi.queue(set(10)); // answered QUEUED by the session, but not kept
        assertThat(multi.end()).isEmpty();
    }

    @Test
    void aQueuePastTheMaxFrame_isRefused() {
        Budget budget = new Budget(1 << 30);
        Multi multi = new Multi(10_000, budget);
        multi.begin();
        multi.queue(set(5_000));
        assertThatThrownBy(() -> multi.queue(set(5_000))).isInstanceOf(RespError.class).hasMessageContaining("max frame");
        assertThat(multi.refused()).isTrue();
        multi.end();
        multi.begin();
        assertThat(multi.refused()).isFalse();
        multi.queue(set(5_000));
        assertThat(multi.end()).hasSize(1);
        assertThat(budget.used).isZero();
    }
}
