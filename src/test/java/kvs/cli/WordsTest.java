package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A session's line splits into words as redis-cli splits its own (README.md, "Interactive mode"). */
class WordsTest {

    @Test
    void blanks_separateWords_andABlankLineHasNone() throws Words.Malformed {
        assertThat(Words.split("set a 1")).containsExactly("set", "a", "1");
        assertThat(Words.split("  get\t\tk  ")).containsExactly("get", "k");
        assertThat(Words.split("")).isEmpty();
        assertThat(Words.split(" \t ")).isEmpty();
    }

    @Test
    void doubleQuotes_keepBlanks_andTakeEscapes() throws Words.Malformed {
        assertThat(Words.split("set \"two words\" x")).containsExactly("set", "two words", "x");
        assertThat(Words.split("\"a\\nb\\tc\\r\\b\\a\"")).containsExactly("a\nb\tc\r\b\u0007");
        assertThat(Words.split("\"say \\\"hi\\\" \\\\o/\"")).containsExactly("say \"hi\" \\o/");
        assertThat(Words.split("\"\\q\"")).as("another character stands for itself").containsExactly("q");
        assertThat(Words.split("\"\\x41\\xc3\\xA9\"")).as("\\xHH is a byte of UTF-8").containsExactly("Aé");
        assertThat(Words.split("\"\\xZZ\"")).as("not hex: the x stands for itself").containsExactly("xZZ");
        assertThat(Words.split("\"it's\"")).containsExactly("it's");
    }

    @Test
    void singleQuotes_keepEverything_butAnEscapedQuote() throws Words.Malformed {
        assertThat(Words.split("'it\\'s'")).containsExactly("it's");
        assertThat(Words.split("'a\\nb \"c\"'")).containsExactly("a\\nb \"c\"");
    }

    @Test
    void emptyQuotes_areAnEmptyWord_andAQuoteMayOpenWithinAWord() throws Words.Malformed {
        assertThat(Words.split("set k \"\"")).containsExactly("set", "k", "");
        assertThat(Words.split("''")).containsExactly("");
        assertThat(Words.split("a\"b c\" d")).containsExactly("ab c", "d");
    }

    @Test
    void outsideQuotes_aBackslashIsItself_andTextIsAnyUnicode() throws Words.Malformed {
        assertThat(Words.split("a\\ b")).containsExactly("a\\", "b");
        assertThat(Words.split("set ключ \"значение ✓\" 🔑")).containsExactly("set", "ключ", "значение ✓", "🔑");
    }

    @Test
    void anUnclosedQuote_isMalformed_namingItsColumn() {
        assertThatThrownBy(() -> Words.split("set k \"open")).isInstanceOf(Words.Malformed.class)
                .hasMessage("the \" at column 7 is never closed");
        assertThatThrownBy(() -> Words.split("'open")).hasMessage("the ' at column 1 is never closed");
        assertThatThrownBy(() -> Words.split("\"ends in a backslash\\")).hasMessage("the \" at column 1 is never closed");
        assertThatThrownBy(() -> Words.split("'\\'")).as("\\' is a quote, not the closing one")
                .hasMessage("the ' at column 1 is never closed");
    }

    @Test
    void aClosingQuoteFollowedByMoreOfItsWord_isMalformed() {
        assertThatThrownBy(() -> Words.split("get \"a\"b")).isInstanceOf(Words.Malformed.class)
                .hasMessage("the closing \" at column 7 must be followed by a blank or the end of the line");
        assertThatThrownBy(() -> Words.split("'a'b")).hasMessageContaining("closing ' at column 3");
    }

    @Test
    void escapedBytesThatAreNotUtf8_areMalformed() {
        assertThatThrownBy(() -> Words.split("set k \"\\xff\"")).isInstanceOf(Words.Malformed.class)
                .hasMessage("the word at column 7 is not UTF-8 text (its \\x escapes)");
    }
}
