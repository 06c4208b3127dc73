package kvs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void encode_refusesAnUnpairedSurrogateWherever_itStands() {
        String body = "x".repeat(20);
        for (int at = 0; at <= body.length(); at++) {
            for (char lone : new char[] {'\uD800', '\uDFFF'}) {
                String s = body.substring(0, at) + lone + body.substring(at);
                int index = at;
                assertThatThrownBy(() -> Utf8.encode("value", s, 100))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("value is not valid Unicode: unpaired surrogate at index " + index);
                assertThat(Utf8.encodeIfValid(s)).as("lone %s at %d", (int) lone, at).isNull();
            }
        }
    }

    @Test
    void encode_keepsQuestionMarksPairsAndEveryOtherChar() {
        for (String s : new String[] {"", "?", "what?".repeat(5), "é€😀?", "a\uD83D\uDE00b" + "?".repeat(9), "plain ascii text"}) {
            byte[] expected = s.getBytes(StandardCharsets.UTF_8);
            assertThat(Utf8.encode("key", s, 1000)).isEqualTo(expected);
            assertThat(Utf8.encodeIfValid(s)).isEqualTo(expected);
        }
    }

    @Test
    void encode_refusesMoreBytesThanTheMaximum() {
        assertThatThrownBy(() -> Utf8.encode("key", "é".repeat(3), 5))
                .hasMessage("key is 6 bytes in UTF-8; the maximum is 5");
    }
}
