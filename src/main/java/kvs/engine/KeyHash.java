package kvs.engine;

import java.security.SecureRandom;

/**
 * The two hashes of a key's UTF-8 bytes. {@link #of} places keys in the index: SipHash-1-3 under a
 * key drawn at random when the process starts (as Redis hashes its keys), so a client cannot
 * choose keys that share a hash and turn the index's probes into scans. {@link #local} places
 * values in the value cache, where a shared slot costs a miss and nothing more: String's
 * polynomial, under which keys that differ in their last characters (user:1, user:2, ...) take
 * nearby slots and so share the processor's caches.
 */
final class KeyHash {

    private static final long K0;
    private static final long K1;

    static {
        SecureRandom random = new SecureRandom();
        K0 = random.nextLong();
        K1 = random.nextLong();
    }

    private KeyHash() {
    }

    /** The index hash of {@code b[off, off + len)}: keyed, never 0 (which marks an empty slot). */
    static int of(byte[] b, int off, int len) {
        long v0 = K0 ^ 0x736f6d6570736575L;
        long v1 = K1 ^ 0x646f72616e646f6dL;
        long v2 = K0 ^ 0x6c7967656e657261L;
        long v3 = K1 ^ 0x7465646279746573L;
        int words = len >>> 3;
        // SipHash-1-3: one round per 8-byte word (the last holds the length and the tail), then
        // 0xff into v2 and three more rounds.
        for (int step = 0; step <= words + 3; step++) {
            long m = 0;
            if (step < words) {
                m = word(b, off + 8 * step, 8);
            } else if (step == words) {
                m = ((long) len << 56) | word(b, off + 8 * words, len & 7);
            } else if (step == words + 1) {
                v2 ^= 0xff;
            }
            v3 ^= m;
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        long h = v0 ^ v1 ^ v2 ^ v3;
        int folded = (int) (h ^ (h >>> 32));
        return folded == 0 ? 1 : folded;
    }

    /** {@code n} (at most 8) bytes from {@code at}, little-endian; shifts, since Lincheck cannot follow a byte-array view. */
    private static long word(byte[] b, int at, int n) {
        long w = 0;
        for (int k = n - 1; k >= 0; k--) {
            w = (w << 8) | (b[at + k] & 0xff);
        }
        return w;
    }

    /** The value cache's hash of {@code b[off, off + len)}: String's, for an ASCII key. */
    static int local(byte[] b, int off, int len) {
        int h = 0;
        for (int i = off, end = off + len; i < end; i++) {
            h = 31 * h + (b[i] & 0xff);
        }
        return h;
    }
}
