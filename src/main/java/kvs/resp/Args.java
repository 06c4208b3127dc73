package kvs.resp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** A request's arguments (argument 0 is the command's name), read as Redis reads them. */
final class Args {

    private final List<byte[]> args;

    Args(List<byte[]> args) {
        this.args = args;
    }

    int size() {
        return args.size();
    }

    byte[] bytes(int i) {
        return args.get(i);
    }

    /** Argument {@code i} as text: a key, a value, a name. */
    String text(int i) {
        return utf8(args.get(i));
    }

    /** Argument {@code i} in lower case, for matching a keyword or a command name. */
    String lower(int i) {
        return new String(args.get(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    /** Argument {@code i} as it came, for an error message (each byte one char, as Redis prints them). */
    String raw(int i) {
        return new String(args.get(i), StandardCharsets.ISO_8859_1);
    }

    /** Argument {@code i} as a 64-bit integer, as Redis's {@code string2ll} reads it. */
    long integer(int i) {
        byte[] b = args.get(i);
        long v = RespRequestReader.parseLong(b, 0, b.length);
        if (v == Long.MIN_VALUE && !isMinLong(b)) {
            throw RespError.NOT_INTEGER;
        }
        return v;
    }

    private static boolean isMinLong(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).equals(Long.toString(Long.MIN_VALUE));
    }

    /** {@code bytes} as text, refused unless valid UTF-8 (kvs stores text). */
    static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw RespError.NOT_UTF8;
                }
            }
        }
        return new String(bytes, StandardCharsets.ISO_8859_1); // ASCII: the compact form, no decoding
    }
}
