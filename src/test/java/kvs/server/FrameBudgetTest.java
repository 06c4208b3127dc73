package kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class FrameBudgetTest {

    private static final long NO_WAIT = 0;
    private static final long A_WHILE = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void smallFrames_needNoRoom_evenWhenTheBudgetIsSpent() throws Exception {
        FrameBudget budget = new FrameBudget(1 << 20, 1 << 20);
        int big = budget.reserve(1 << 20, NO_WAIT);
        assertThat(big).isEqualTo(1024);
        assertThat(budget.reserve(FrameBudget.SMALL, NO_WAIT)).isZero();
        budget.release(big);
    }

    @Test
    void largeFrames_shareTheBudget_andWaitForRoom() throws Exception {
        FrameBudget budget = new FrameBudget(3 << 20, 1 << 20);
        int a = budget.reserve(2 << 20, NO_WAIT);
        assertThat(a).isEqualTo(2048);
        assertThat(budget.reserve(2 << 20, A_WHILE)).as("more than is left").isEqualTo(-1);
        int b = budget.reserve(1 << 20, NO_WAIT);
        assertThat(b).as("what is left").isEqualTo(1024);
        budget.release(a);
        assertThat(budget.reserve(2 << 20, A_WHILE)).as("after a release").isEqualTo(2048);
    }

    @Test
    void theBudget_holdsAtLeastOneMaximumFrame() throws Exception {
        FrameBudget budget = new FrameBudget(0, 16 << 20);
        assertThat(budget.reserve(16 << 20, NO_WAIT)).isEqualTo(16 << 10);
    }
}
