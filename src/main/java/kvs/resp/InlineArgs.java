package kvs.resp;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Splits an inline command line into arguments with Redis's {@code sdssplitargs} rules:
 * arguments are separated by blanks; {@code "..."} may hold the escapes {@code \n \r \t \b \a},
 * {@code \xHH} and a backslash before any other byte; {@code '...'} only {@code \'}; a closing
 * quote must be followed by a blank or the end of the line. A NUL byte ends the line, as it
 * ends Redis's C string.
 */
final class InlineArgs {

    private InlineArgs() {
    }

    /** Adds the arguments of {@code line[from, to)} to {@code args}; false if a quote is unbalanced. */
    static boolean split(byte[] line, int from, int to, List<byte[]> args) {
        int p = from;
        while (true) {
            while (at(line, p, to) != 0 && isSpace(at(line, p, to))) {
                p++;
            }
            if (at(line, p, to) == 0) {
                return true;
            }
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                int c = at(line, p, to);
                if (inDouble) {
                    if (c == '\\' && at(line, p + 1, to) == 'x' && isHex(at(line, p + 2, to)) && isHex(at(line, p + 3, to))) {
                        current.write(Character.digit(at(line, p + 2, to), 16) * 16 + Character.digit(at(line, p + 3, to), 16));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1, to) != 0) {
                        p++;
                        current.write(unescape(at(line, p, to)));
                    } else if (c == '"') {
                        if (at(line, p + 1, to) != 0 && !isSpace(at(line, p + 1, to))) {
                            return false; // the closing quote must be followed by a space or nothing
                        }
                        done = true;
                    } else if (c == 0) {
                        return false; // unterminated quotes
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(line, p + 1, to) == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (at(line, p + 1, to) != 0 && !isSpace(at(line, p + 1, to))) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> current.write(c);
                    }
                }
                if (at(line, p, to) != 0) {
                    p++;
                }
            }
            args.add(current.toByteArray());
        }
    }

    /** The byte at {@code i}, unsigned, or 0 past the end (Redis's terminating NUL). */
    private static int at(byte[] line, int i, int to) {
        return i < to ? line[i] & 0xFF : 0;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isHex(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static int unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }
}
