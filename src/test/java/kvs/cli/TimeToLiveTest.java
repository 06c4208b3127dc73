package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** kvs-client's times to live (README.md, "Quick start"): a whole number and a unit, ms, s, m or h; a bare number is seconds. */
class TimeToLiveTest {

    @ParameterizedTest
    @CsvSource({"30s, 30000", "30, 30000", "500ms, 500", "1ms, 1", "15m, 900000", "2h, 7200000", "0, 0", "0ms, 0",
        "007s, 7000", "9223372036854775807ms, 9223372036854775807", "2562047788015h, 9223372036854000000"})
    void wholeNumbersWithAUnit_areTimesToLive(String text, long millis) {
        assertThat(new TimeToLive().convert(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "30x", "30 s", " 30s", "30S", "1.5s", "-5s", "+5s", "30sec", "1d", "30s30", "1e3", "٣s"})
    void otherForms_areRefusedWithTheFormToUse(String text) {
        assertThatThrownBy(() -> new TimeToLive().convert(text)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("bad time to live '" + text + "'").hasMessageContaining("ms, s, m or h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808ms", "9223372036854776s", "2562047788016h", "99999999999999999999999"})
    void timesPast2To63Milliseconds_areRefused(String text) {
        assertThatThrownBy(() -> new TimeToLive().convert(text)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("too long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "0ms", "0h"})
    void aSetsTimeToLive_cannotBeZero(String text) {
        assertThatThrownBy(() -> new TimeToLive.Positive().convert(text)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("at least 1ms");
        assertThat(new TimeToLive.Positive().convert("1ms")).isEqualTo(Duration.ofMillis(1));
    }
}
