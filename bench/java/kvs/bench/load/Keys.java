package kvs.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Key names as redis-benchmark forms them with {@code -r}: {@code key:} and 12 digits. */
final class Keys {

    /** Bytes in every key. */
    static final int LENGTH = 16;

    private Keys() {
    }

    /** Writes key number {@code index} into {@code to} (at least {@link #LENGTH} bytes). */
    static void format(int index, byte[] to) {
        to[0] = 'k';
        to[1] = 'e';
        to[2] = 'y';
        to[3] = ':';
        for (int i = LENGTH - 1; i >= 4; i--) {
            to[i] = (byte) ('0' + index % 10);
            index /= 10;
        }
    }

    /** Writes key number {@code index} into {@code to} at {@code at}. */
    static void format(int index, ByteBuffer to, int at) {
        for (int i = LENGTH - 1; i >= 4; i--) {
            to.put(at + i, (byte) ('0' + index % 10));
            index /= 10;
        }
        for (int i = 0; i < 4; i++) {
            to.put(at + i, (byte) "key:".charAt(i));
        }
    }

    static String name(int index) {
        byte[] b = new byte[LENGTH];
        format(index, b);
        return new String(b, StandardCharsets.US_ASCII);
    }
}
