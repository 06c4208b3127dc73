package kvs.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line of kvs-client's interactive mode into words as redis-cli does (its sdssplitargs):
 * blanks separate words; {@code "..."} keeps blanks and takes the escapes {@code \n \r \t \b \a},
 * {@code \xHH} (a byte: a word's bytes must be UTF-8 text) and a backslash before any other
 * character for that character; {@code '...'} keeps everything but {@code \'}, a quote. A quote
 * may open within a word ({@code a"b c"} is {@code ab c}) but must close at its end.
 */
final class Words {

    /** A line that does not split: a quote left open, or closed inside a word. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private Words() {
    }

    /**
     * The words of {@code line}, none for a blank line.
     *
     * @throws Malformed if a quote is not closed, a closing quote is followed by more of its word,
     *                   or a word's {@code \xHH} bytes are not UTF-8
     */
    static List<String> split(String line) throws Malformed {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i == n) {
                return words;
            }
            int start = i;
            // The word's bytes: a \xHH escape is one byte, and UTF-8 is checked once the word is whole.
            ByteArrayOutputStream word = new ByteArrayOutputStream();
            char quote = 0; // the open quote, or 0 outside quotes
            int opened = -1;
            while (true) {
                if (i == n) {
                    if (quote != 0) {
                        throw new Malformed("the " + quote + " at column " + (opened + 1) + " is never closed");
                    }
                    break;
                }
                char c = line.charAt(i);
                if (quote == 0) {
                    if (Character.isWhitespace(c)) {
                        break;
                    }
                    if (c == '"' || c == '\'') {
                        quote = c;
                        opened = i;
                    } else {
                        i = append(line, i, word);
                        continue;
                    }
                } else if (c == quote) {
                    if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                        throw new Malformed("the closing " + quote + " at column " + (i + 1)
                                + " must be followed by a blank or the end of the line");
                    }
                    quote = 0;
                } else if (c == '\\' && i + 1 < n && quote == '"') {
                    i = escape(line, i + 1, word);
                    continue;
                } else if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') { // in '...': only \' is an escape
                    word.write('\'');
                    i += 2;
                    continue;
                } else {
                    i = append(line, i, word);
                    continue;
                }
                i++;
            }
            words.add(utf8(word.toByteArray(), start));
        }
    }

    /** Appends the UTF-8 bytes of the code point at {@code i}; returns the index after it. */
    private static int append(String line, int i, ByteArrayOutputStream word) {
        int cp = line.codePointAt(i);
        word.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        return i + Character.charCount(cp);
    }

    /** Appends what the escape whose letter is at {@code i} (after a backslash, in "...") stands for; returns the index after it. */
    private static int escape(String line, int i, ByteArrayOutputStream word) {
        char c = line.charAt(i);
        if (c == 'x' && i + 2 < line.length()) {
            int high = hex(line.charAt(i + 1));
            int low = hex(line.charAt(i + 2));
            if (high >= 0 && low >= 0) {
                word.write(high << 4 | low);
                return i + 3;
            }
        }
        switch (c) {
            case 'n' -> word.write('\n');
            case 'r' -> word.write('\r');
            case 't' -> word.write('\t');
            case 'b' -> word.write('\b');
            case 'a' -> word.write(7);
            default -> {
                return append(line, i, word);
            }
        }
        return i + 1;
    }

    /** The value of an ASCII hex digit, or -1. */
    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    private static String utf8(byte[] bytes, int start) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("the word at column " + (start + 1) + " is not UTF-8 text (its \\x escapes)");
        }
    }
}
