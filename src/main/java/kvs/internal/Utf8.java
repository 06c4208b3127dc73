package kvs.internal;

import java.nio.charset.StandardCharsets;

/** Strict UTF-8 encoding: a string that UTF-8 cannot hold exactly is refused, never altered. Not API. */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * Encodes {@code s}, which must fit in {@code max} bytes.
     *
     * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate (UTF-8 would store
     *                                  '?' in its place) or encodes to more than {@code max} bytes
     */
    public static byte[] encode(String what, String s, int max) {
        int bad = unpairedSurrogate(s);
        if (bad >= 0) {
            throw new IllegalArgumentException(what + " is not valid Unicode: unpaired surrogate at index " + bad);
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > max) {
            throw new IllegalArgumentException(
                    what + " is " + bytes.length + " bytes in UTF-8; the maximum is " + max);
        }
        return bytes;
    }

    /** The UTF-8 bytes of {@code s}, or null if it holds an unpaired surrogate (which UTF-8 cannot hold). */
    public static byte[] encodeIfValid(String s) {
        return unpairedSurrogate(s) < 0 ? s.getBytes(StandardCharsets.UTF_8) : null;
    }

    /** The index of the first unpaired surrogate in {@code s}, or -1. */
    private static int unpairedSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
