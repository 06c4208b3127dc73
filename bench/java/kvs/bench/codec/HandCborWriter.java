package kvs.bench.codec;

import java.io.ByteArrayOutputStream;

import kvs.store.Bytes;

/**
 * Writes the few CBOR items kvs sends: definite-length maps, text strings, true, false and
 * null, each with the shortest head (RFC 8949 §4.2.1, preferred serialization).
 */
final class HandCborWriter {

    private static final int MAJOR_TEXT = 3;
    private static final int MAJOR_MAP = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    HandCborWriter map(int pairs) {
        head(MAJOR_MAP, pairs);
        return this;
    }

    /** @throws IllegalArgumentException if {@code s} holds an unpaired surrogate, which UTF-8 cannot carry */
    HandCborWriter text(String what, String s) {
        byte[] bytes = Bytes.utf8(s).toByteArray();
        head(MAJOR_TEXT, bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    HandCborWriter text(String s) {
        return text("text", s);
    }

    HandCborWriter bool(boolean b) {
        out.write(b ? 0xF5 : 0xF4);
        return this;
    }

    HandCborWriter nul() {
        out.write(0xF6);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void head(int major, long n) {
        int type = major << 5;
        if (n < 24) {
            out.write(type | (int) n);
        } else if (n < 1 << 8) {
            out.write(type | 24);
            out.write((int) n);
        } else if (n < 1 << 16) {
            out.write(type | 25);
            be(n, 2);
        } else {
            out.write(type | 26); // lengths are ints here: never the 8-byte form
            be(n, 4);
        }
    }

    private void be(long n, int bytes) {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
            out.write((int) (n >>> shift) & 0xFF);
        }
    }
}
