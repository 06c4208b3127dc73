package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** INCRBYFLOAT's long double arithmetic; every expected sum is what Redis 7.0.15 answered (redis-cli), and bench/resp-diff.sh compares them live. */
class LongDoubleTest {

    @ParameterizedTest
    @CsvSource({
            "10.5, 0.1, 10.6",
            "10.6, -5.0e3, -4989.39999999999999991",
            "0.1, 0.2, 0.3",
            "0, 3, 3",
            "3, 0.25, 3.25",
            "0, 1e2, 100",
            "0.3, 1e20, 100000000000000000000",
            "0, 3.0e-5, 0.00003",
            "0.00003, -3.0e-5, 0",
            "0, 123456789.123456789, 123456789.12345678899873747",
            "0, 1e-30, 0",
            "0, +.5, 0.5",
            "0, 5., 5",
    })
    void sums_areRedisDigitForDigit(String old, String increment, String sum) {
        assertThat(LongDouble.format(LongDouble.add(LongDouble.parse(old), LongDouble.parse(increment)))).isEqualTo(sum);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "abc", "nan", "0x1p3", "1e", "--1"})
    void notFloats_areRefused(String text) {
        assertThatThrownBy(() -> LongDouble.parse(text)).isSameAs(RespError.NOT_FLOAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf", "-Infinity", "1e5000"})
    void infinities_produceRedisError(String text) {
        assertThatThrownBy(() -> LongDouble.parse(text)).isSameAs(LongDouble.NAN_OR_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0.5", "-2.75", "18446744073709551615", "18446744073709551616"})
    void valuesALongDoubleHolds_areKeptExactly(String text) {
        assertThat(LongDouble.round(new BigDecimal(text))).isEqualByComparingTo(text);
    }

    @ParameterizedTest
    @CsvSource({"18446744073709551617, 18446744073709551616", "18446744073709551619, 18446744073709551620"})
    void a65BitInteger_roundsToEven(String text, String rounded) {
        assertThat(LongDouble.round(new BigDecimal(text))).isEqualByComparingTo(rounded);
    }
}
