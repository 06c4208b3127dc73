package kvs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PoolSuiteTest {

    @Test
    void poolSizesAreOneTwoFourThenEvenNumbersUpToTwiceTheCores() {
        assertThat(PoolSuite.poolSizes(1)).containsExactly(1, 2, 4);
        assertThat(PoolSuite.poolSizes(2)).containsExactly(1, 2, 4);
        assertThat(PoolSuite.poolSizes(4)).containsExactly(1, 2, 4, 6, 8);
        assertThat(PoolSuite.poolSizes(5)).containsExactly(1, 2, 4, 6, 8, 10);
    }
}
