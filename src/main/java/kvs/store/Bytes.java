package kvs.store;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable string of bytes: a key or a value of a {@link Store}. Any bytes at all (NUL,
 * 0x80-0xFF, invalid UTF-8); never transcoded, trimmed or normalised. Equal when the bytes are,
 * ordered as unsigned bytes (as Redis orders keys), so one can key a map or a sorted set. Shared
 * freely between threads: a cached value is handed to every reader without a copy.
 */
public final class Bytes implements Comparable<Bytes> {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The empty string of bytes. */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] bytes;
    /** Arrays.hashCode of the bytes, computed on first use; 0 until then. */
    private int hash;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A copy of {@code bytes}.
     *
     * @param bytes the bytes to copy
     * @return the copy
     */
    public static Bytes of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /**
     * A copy of {@code bytes[off, off+len)}.
     *
     * @param bytes the array to copy from
     * @param off   the index of the first byte
     * @param len   the number of bytes
     * @return the copy
     */
    public static Bytes of(byte[] bytes, int off, int len) {
        return len == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, off, off + len));
    }

    /**
     * {@code bytes} themselves, without a copy: the caller hands the array over and must never
     * change it again (a decoder that has just filled it, say).
     *
     * @param bytes the array handed over
     * @return the bytes, sharing the array
     */
    public static Bytes wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes);
    }

    /**
     * The UTF-8 encoding of {@code text}.
     *
     * @param text the text
     * @return its UTF-8 bytes
     * @throws IllegalArgumentException if {@code text} holds an unpaired surrogate, which UTF-8
     *                                  cannot hold (Java would store '?' in its place)
     */
    public static Bytes utf8(String text) {
        return wrap(utf8Array(text));
    }

    /**
     * The UTF-8 encoding of {@code text}, as a new array the caller owns.
     *
     * @param text the text
     * @return its UTF-8 bytes
     * @throws IllegalArgumentException if {@code text} holds an unpaired surrogate
     */
    public static byte[] utf8Array(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("not valid Unicode: an unpaired surrogate at index " + i);
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The number of bytes.
     *
     * @return the length, 0 for {@link #EMPTY}
     */
    public int length() {
        return bytes.length;
    }

    /**
     * Whether there are no bytes.
     *
     * @return whether the length is 0
     */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /**
     * One byte.
     *
     * @param i its index, from 0 to {@code length() - 1}
     * @return the byte at {@code i}
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public byte byteAt(int i) {
        return bytes[i];
    }

    /**
     * A copy of the bytes.
     *
     * @return a new array the caller owns
     */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /**
     * Copies the bytes into {@code dst} from {@code off}.
     *
     * @param dst the array to copy into
     * @param off the index in {@code dst} of the first byte
     */
    public void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, bytes.length);
    }

    /**
     * Copies {@code len} bytes from {@code from} into {@code dst} from {@code off}.
     *
     * @param from the index of the first byte copied
     * @param dst  the array to copy into
     * @param off  the index in {@code dst} of the first byte
     * @param len  the number of bytes copied
     */
    public void copyTo(int from, byte[] dst, int off, int len) {
        System.arraycopy(bytes, from, dst, off, len);
    }

    /**
     * Writes the bytes to {@code out}.
     *
     * @param out the stream to write to
     * @throws IOException if the stream fails
     */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    /**
     * Puts the bytes into {@code out}.
     *
     * @param out the buffer, with room for {@link #length()} bytes
     */
    public void writeTo(ByteBuffer out) {
        out.put(bytes);
    }

    /**
     * Whether these bytes equal {@code other[off, off+len)}.
     *
     * @param other the array
     * @param off   the index of the range's first byte
     * @param len   the range's length
     * @return whether the range holds these bytes
     */
    public boolean equalsRange(byte[] other, int off, int len) {
        return Arrays.equals(bytes, 0, bytes.length, other, off, off + len);
    }

    /**
     * Whether these bytes begin with {@code prefix}.
     *
     * @param prefix the bytes to look for
     * @return whether these bytes begin with {@code prefix}
     */
    public boolean startsWith(Bytes prefix) {
        return prefix.bytes.length <= bytes.length
                && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
    }

    /**
     * The bytes from {@code from} to {@code to}.
     *
     * @param from the index of the first byte, inclusive
     * @param to   the index after the last byte
     * @return the slice (these bytes themselves when it is all of them)
     */
    public Bytes slice(int from, int to) {
        return from == 0 && to == bytes.length ? this : of(bytes, from, to - from);
    }

    /**
     * These bytes, then {@code more}.
     *
     * @param more the bytes to append
     * @return the concatenation
     */
    public Bytes concat(Bytes more) {
        if (more.bytes.length == 0) {
            return this;
        }
        byte[] out = Arrays.copyOf(bytes, bytes.length + more.bytes.length);
        System.arraycopy(more.bytes, 0, out, bytes.length, more.bytes.length);
        return new Bytes(out);
    }

    /**
     * Whether the bytes are valid UTF-8 (RFC 3629: no overlong form, no surrogate, nothing above
     * U+10FFFF); every ASCII string is. Reads the bytes once and allocates nothing.
     *
     * @return whether the bytes are valid UTF-8
     */
    public boolean isUtf8() {
        return isUtf8(bytes, 0, bytes.length);
    }

    /**
     * Whether {@code b[off, off + len)} is valid UTF-8, as {@link #isUtf8()} judges it.
     *
     * @param b   the array
     * @param off the index of the first byte
     * @param len the number of bytes
     * @return whether the range is valid UTF-8
     */
    public static boolean isUtf8(byte[] b, int off, int len) {
        int i = off;
        int n = off + len;
        while (i < n) {
            // ASCII, the common case, eight bytes at a time
            while (i + 8 <= n && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
                i += 8;
            }
            if (i >= n) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                min = 0x10000;
            } else {
                return false; // a continuation byte first, an overlong lead (C0, C1), or F5-FF
            }
            if (i + more >= n) { // cut short
                return false;
            }
            int cp = c & (0x3F >> more);
            for (int j = 1; j <= more; j++) {
                int d = b[i + j] & 0xFF;
                if ((d & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (d & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
                return false;
            }
            i += more + 1;
        }
        return true;
    }

    /**
     * The text these bytes encode in UTF-8.
     *
     * @return the decoded text
     * @throws IllegalStateException if they are not valid UTF-8
     */
    public String utf8() {
        String s = utf8OrNull();
        if (s == null) {
            throw new IllegalStateException("the bytes " + this + " are not valid UTF-8 text");
        }
        return s;
    }

    /**
     * The bytes as UTF-8 text, or null if they are not valid UTF-8.
     *
     * @return the decoded text, or null
     */
    public String utf8OrNull() {
        return isUtf8() ? new String(bytes, StandardCharsets.UTF_8) : null;
    }

    /**
     * Each byte as one char (ISO-8859-1), as Redis echoes bytes in its error texts.
     *
     * @return one char per byte
     */
    public String latin1() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && (b.bytes == bytes || hashCode() == b.hashCode() && Arrays.equals(bytes, b.bytes));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && bytes.length > 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** The bytes in double quotes, printable ASCII as it is and every other byte as {@code \xHH}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '"' || c == '\\') {
                s.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7F) {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.append('"').toString();
    }
}
