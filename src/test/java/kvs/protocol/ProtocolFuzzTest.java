package kvs.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.lang.management.ManagementFactory;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of the protocol's readers. In every build they run in regression mode, over the
 * committed inputs in src/test/resources/kvs/protocol/ProtocolFuzzTestInputs/; to fuzz (and add
 * what a crash finds to those inputs):
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw test -Dtest=ProtocolFuzzTest#decodeRequest -Djazzer.max_duration=5m
 * </pre>
 * A frame or request may fail only with the protocol's own exceptions, and reading one never
 * allocates more than the frame maximum.
 */
class ProtocolFuzzTest {

    /** The maximum frame the frame reader is given: small, so a breach is plain. */
    private static final int MAX = 64 << 10;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // Load and link what the readers use, each way they can end, so that a first input is
        // not charged for class loading.
        for (byte[] frame : new byte[][] {{0, 0, 0, 1, 0}, {0x7f, 0, 0, 0}, {0, 0, 1}, {0, 0, 0, 9, 1}}) {
            try {
                Frames.read(new ByteArrayInputStream(frame), MAX);
            } catch (Exception e) {
                // too large and cut short, on purpose
            }
        }
        for (byte[] body : new byte[][] {Codec.encode(new Request.Set("k", "v")), {(byte) 0xff}, {(byte) 0xa0}}) {
            try {
                Codec.decodeRequest(body);
            } catch (ProtocolException e) {
                // malformed and bad, on purpose
            }
        }
    }

    @FuzzTest
    void readFrame(byte[] input) throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        byte[] body = null;
        Exception failure = null;
        try {
            body = Frames.read(in, MAX);
        } catch (ProtocolException | EOFException e) { // too large, or a frame cut short
            failure = e;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated").isLessThanOrEqualTo(2L * MAX);
        if (body != null) {
            assertThat(body.length).isLessThanOrEqualTo(MAX);
        }
        if (failure instanceof ProtocolException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
        }
    }

    @FuzzTest
    void decodeRequest(byte[] body) throws Exception {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Request r = null;
        ProtocolException failure = null;
        try {
            r = Codec.decodeRequest(body);
        } catch (ProtocolException e) {
            failure = e;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated").isLessThanOrEqualTo(Frames.DEFAULT_MAX_FRAME);
        if (failure != null) {
            assertThat(failure.code()).isIn(ErrorCode.MALFORMED, ErrorCode.BAD_REQUEST);
            assertThat(failure.getMessage()).isNotBlank();
        } else {
            // what decodes re-encodes to a request that decodes the same
            assertThat(Codec.decodeRequest(Codec.encode(r))).isEqualTo(r);
        }
    }

    @FuzzTest
    void decodeResponse(byte[] body) {
        try {
            Response r = Codec.decodeResponse(body);
            assertThat(Codec.decodeResponse(Codec.encode(r))).isEqualTo(r);
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
