package kvs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void utf8_refusesAnUnpairedSurrogateWherever_itStands() {
        String body = "x".repeat(20);
        for (int at = 0; at <= body.length(); at++) {
            for (char lone : new char[] {'\uD800', '\uDFFF'}) {
                String s = body.substring(0, at) + lone + body.substring(at);
                int index = at;
                assertThatThrownBy(() -> Bytes.utf8(s))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("not valid Unicode: an unpaired surrogate at index " + index);
            }
        }
    }

    @Test
    void utf8_keepsQuestionMarksPairsAndEveryOtherChar_andReadsBack() {
        for (String s : new String[] {"", "?", "what?".repeat(5), "é€😀?", "a\uD83D\uDE00b" + "?".repeat(9), "plain ascii text"}) {
            Bytes b = Bytes.utf8(s);
            assertThat(b.toByteArray()).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
            assertThat(b.isUtf8()).isTrue();
            assertThat(b.utf8()).isEqualTo(s);
        }
    }

    /** isUtf8 agrees with the JDK's strict decoder on every byte pair and triple edge, and on random bytes. */
    @Test
    void isUtf8_agreesWithTheStrictDecoder() {
        Random random = new Random(28);
        byte[][] cases = {
                {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xC2, (byte) 0x80},
                {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xE0, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80},
                {'a', (byte) 0xC3}, {}, {0},
        };
        for (byte[] c : cases) {
            assertThat(Bytes.wrap(c).isUtf8()).as("%s", Bytes.wrap(c)).isEqualTo(strictlyDecodes(c));
        }
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[random.nextInt(8)];
            random.nextBytes(b);
            if (random.nextBoolean()) {
                for (int j = 0; j < b.length; j++) {
                    b[j] = (byte) (0x80 | b[j] & 0x7F | (random.nextInt(4) == 0 ? 0x40 : 0)); // mostly continuation bytes
                }
                if (b.length > 0) {
                    b[0] = (byte) (0xC0 | random.nextInt(0x40));
                }
            }
            assertThat(Bytes.wrap(b).isUtf8()).as("%s", Bytes.wrap(b)).isEqualTo(strictlyDecodes(b));
        }
    }

    private static boolean strictlyDecodes(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void utf8_ofBytesThatAreNotText_isRefused_neverMangled() {
        Bytes b = Bytes.wrap(new byte[] {'a', (byte) 0xFF});
        assertThat(b.isUtf8()).isFalse();
        assertThatThrownBy(b::utf8).isInstanceOf(IllegalStateException.class).hasMessageContaining("\"a\\xff\"");
    }

    @Test
    void equalsHashCodeAndOrder_areOfTheBytes_unsigned() {
        Bytes a = Bytes.of(new byte[] {1, 2});
        assertThat(a).isEqualTo(Bytes.wrap(new byte[] {1, 2})).hasSameHashCodeAs(Bytes.wrap(new byte[] {1, 2}));
        assertThat(a).isNotEqualTo(Bytes.wrap(new byte[] {1, 2, 0}));
        assertThat(Bytes.wrap(new byte[] {(byte) 0x80}).compareTo(Bytes.wrap(new byte[] {0x7F}))).isPositive();
        assertThat(Bytes.EMPTY.compareTo(Bytes.wrap(new byte[] {0}))).isNegative();
        assertThat(Bytes.of(new byte[0])).isSameAs(Bytes.EMPTY);
    }

    @Test
    void of_copies_butWrapTakesTheArray() {
        byte[] array = {1, 2, 3};
        Bytes copy = Bytes.of(array);
        Bytes wrapped = Bytes.wrap(array);
        array[0] = 9;
        assertThat(copy.byteAt(0)).isEqualTo((byte) 1);
        assertThat(wrapped.byteAt(0)).isEqualTo((byte) 9);
        byte[] out = copy.toByteArray();
        out[1] = 9;
        assertThat(copy.byteAt(1)).as("toByteArray is a copy").isEqualTo((byte) 2);
    }

    @Test
    void sliceConcatStartsWithAndToString() {
        Bytes b = Bytes.utf8("key:").concat(Bytes.wrap(new byte[] {0, (byte) 0xFF, '"'}));
        assertThat(b.startsWith(Bytes.utf8("key"))).isTrue();
        assertThat(b.startsWith(Bytes.utf8("kex"))).isFalse();
        assertThat(b.slice(0, 3)).isEqualTo(Bytes.utf8("key"));
        assertThat(b.toString()).isEqualTo("\"key:\\x00\\xff\\\"\"");
        assertThat(b.latin1()).hasSize(7);
    }
}
