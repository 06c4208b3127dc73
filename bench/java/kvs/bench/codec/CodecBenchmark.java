package kvs.bench.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.ProtocolException;
import kvs.protocol.Request;
import kvs.protocol.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol codec per request, jackson-dataformat-cbor ({@code jackson}, kvs.protocol.Codec)
 * against the hand-written codec it replaced ({@code hand}, {@link HandCodec}): decoding a set
 * and a get request, encoding a get's value response and a set's ok, for values of 16 and 100
 * bytes. Run (after {@code ./mvnw -Pbench package -DskipTests}):
 * <pre>
 * java -jar target/benchmarks.jar CodecBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {

    @Param({"jackson", "hand"})
    public String codec;

    @Param({"16", "100"})
    public int valueSize;

    private byte[] setBody;
    private byte[] getBody;
    /** {@value #RUN} set frames one after another, as a connection pipelining that many reads them. */
    private byte[] setRun;
    private byte[] runCopy;
    private final Request[] requests = new Request[RUN];
    private final ProtocolException[] failures = new ProtocolException[RUN];
    private static final int RUN = 16;
    private Response.Value value;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    @Setup
    public void setUp() {
        String v = "v".repeat(valueSize);
        setBody = Codec.encode(new Request.Set("key:0000012345", v));
        getBody = Codec.encode(new Request.Get("key:0000012345"));
        byte[] frame = Frames.frame(setBody);
        setRun = new byte[RUN * frame.length];
        for (int i = 0; i < RUN; i++) {
            System.arraycopy(frame, 0, setRun, i * frame.length, frame.length);
        }
        runCopy = new byte[setRun.length];
        value = new Response.Value(v);
    }

    private boolean jackson() {
        return codec.equals("jackson");
    }

    @Benchmark
    public Request decodeSet() throws ProtocolException {
        return jackson() ? Codec.decodeRequest(setBody) : HandCodec.decodeRequest(setBody);
    }

    /** Per request: {@value #RUN} sets decoded as one run (the jackson codec only; a copy of the run first, as its headers are overwritten). */
    @Benchmark
    @OperationsPerInvocation(RUN)
    public Request decodeSetRun() throws ProtocolException {
        System.arraycopy(setRun, 0, runCopy, 0, setRun.length);
        if (jackson()) {
            Codec.decodeRequests(runCopy, 0, RUN, requests, failures);
            return requests[RUN - 1];
        }
        Request last = null;
        for (int off = 0; off < runCopy.length; off += Frames.HEADER + setBody.length) {
            last = HandCodec.decodeRequest(Arrays.copyOfRange(runCopy, off + Frames.HEADER, off + Frames.HEADER + setBody.length));
        }
        return last;
    }

    @Benchmark
    public Request decodeGet() throws ProtocolException {
        return jackson() ? Codec.decodeRequest(getBody) : HandCodec.decodeRequest(getBody);
    }

    /** Into a reused buffer, as a connection writes replies. */
    @Benchmark
    public int encodeValue() throws IOException {
        out.reset();
        if (jackson()) {
            Codec.encode(value, out);
        } else {
            out.write(HandCodec.encode(value));
        }
        return out.size();
    }

    /** Per reply: {@value #RUN} value replies with one generator, as a connection encodes a batch's (the jackson codec only). */
    @Benchmark
    @OperationsPerInvocation(RUN)
    public int encodeValueRun() throws IOException {
        out.reset();
        if (jackson()) {
            try (Codec.ResponseWriter writer = new Codec.ResponseWriter(out)) {
                for (int i = 0; i < RUN; i++) {
                    writer.write(value);
                }
            }
        } else {
            for (int i = 0; i < RUN; i++) {
                out.write(HandCodec.encode(value));
            }
        }
        return out.size();
    }

    @Benchmark
    public int encodeOk() throws IOException {
        out.reset();
        Response ok = new Response.Ok();
        if (jackson()) {
            Codec.encode(ok, out);
        } else {
            out.write(HandCodec.encode(ok));
        }
        return out.size();
    }
}
