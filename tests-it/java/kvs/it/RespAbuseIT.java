package kvs.it;

import static kvs.it.AbuseIT.ANSWER_MS;
import static kvs.it.AbuseIT.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * AbuseIT's storm against the RESP listener (docs/RESP.md), with RESP's own bad inputs; AbuseIT's
 * heap cases and SlowClientsIT's slow clients run against both listeners ({@link Wire}).
 */
class RespAbuseIT {

    private static final int MAX_FRAME = 16 << 20;

    @TempDir
    Path data;
    @TempDir
    Path logs;
    /** Certificates and password files of the secured runs. */
    @TempDir
    Path keys;

    /** The kinds of bad input the storm sends; what the server must do about each is in {@link #send}. */
    enum Kind {
        RANDOM_BYTES, HUGE_MULTIBULK, HUGE_BULK, NOT_A_BULK, CUT_THEN_EOF, CUT_THEN_SILENCE, LONG_INLINE,
        UNBALANCED_QUOTES, BINARY_KEY, UNKNOWN_COMMAND, HTTP_POST, GARBAGE_AFTER_VALID
    }

    static byte[] cmd(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void malformedStorm_isAnsweredOrClosedWithinASecond_andLeavesNothingBehind(Transport.Kind transport) throws Exception {
        try (ServerProcess server = ServerProcess.start("", transport.in(keys), data, logs, "--timeout", TIMEOUT_SECONDS,
                "--resp-addr", "127.0.0.1:0")) {
            AbuseIT.storm(server, "resp-abuse-storm-" + transport, Kind.values(), (kind, random) -> send(server, kind, random));
        }
    }

    /** Sends one bad input on a new connection and checks the server's answer; returns what happened. */
    private static String send(ServerProcess server, Kind kind, Random random) throws IOException {
        try (Socket s = server.connect(Wire.RESP, ANSWER_MS)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            switch (kind) {
                case RANDOM_BYTES -> { // an inline command of noise, or a protocol error: either way an error line
                    byte[] noise = new byte[1 + random.nextInt(200)];
                    random.nextBytes(noise);
                    noise[0] = (byte) ('a' + random.nextInt(26)); // an inline request, not a '*' count
                    for (int i = 0; i < noise.length; i++) {
                        if (noise[i] == '\n' || noise[i] == '\r') {
                            noise[i] = 'x';
                        }
                    }
                    out.write(noise);
                    out.write('\n');
                    String line = line(in);
                    assertThat(line).startsWith("-ERR ");
                    return line.startsWith("-ERR Protocol error") ? closed(in, kind) : "error";
                }
                case HUGE_MULTIBULK -> out.write(("*" + (1024 * 1024 + 1 + random.nextInt(1 << 30)) + "\r\n").getBytes());
                case HUGE_BULK -> out.write(("*2\r\n$3\r\nGET\r\n$" + (MAX_FRAME + 1L + random.nextInt(Integer.MAX_VALUE)) + "\r\n").getBytes());
                case NOT_A_BULK -> out.write("*1\r\n:1\r\n".getBytes());
                case LONG_INLINE -> out.write(new byte[64 * 1024 + 1 + random.nextInt(1000)]);
                case UNBALANCED_QUOTES -> out.write("SET \"k v\r\n".getBytes());
                case CUT_THEN_EOF, CUT_THEN_SILENCE -> {
                    out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n".getBytes());
                    out.write(new byte[random.nextInt(100)]);
                    if (kind == Kind.CUT_THEN_EOF) {
                        s.shutdownOutput();
                    } else {
                        s.setSoTimeout((int) (Double.parseDouble(TIMEOUT_SECONDS) * 1000) + ANSWER_MS);
                    }
                    assertThat(line(in)).as("nothing answered").isNull();
                    return "closed";
                }
                case BINARY_KEY -> { // a key that is not UTF-8: a key like any other, absent here
                    out.write("*2\r\n$3\r\nGET\r\n$2\r\n\u00c3(\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(line(in)).isEqualTo("$-1");
                    out.write(cmd("PING"));
                    assertThat(line(in)).isEqualTo("+PONG");
                    return "answered, still open";
                }
                case UNKNOWN_COMMAND -> {
                    out.write(cmd("NOPE" + random.nextInt(100), "x"));
                    assertThat(line(in)).startsWith("-ERR unknown command 'NOPE");
                    return "error";
                }
                case HTTP_POST -> {
                    out.write("POST / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
                    assertThat(line(in)).as("unanswered").isNull();
                    return "closed";
                }
                case GARBAGE_AFTER_VALID -> {
                    out.write(cmd("GET", "k"));
                    out.write("*x\r\n".getBytes());
                    String reply = line(in);
                    assertThat(reply).matches("\\$-1|\\$\\d+");
                    if (!reply.equals("$-1")) {
                        line(in);
                    }
                    assertThat(line(in)).isEqualTo("-ERR Protocol error: invalid multibulk length");
                    return closed(in, kind);
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            assertThat(line(in)).as("%s: the answer", kind).startsWith("-ERR Protocol error: ");
            return closed(in, kind);
        }
    }

    /** One reply line without its CRLF; null if the server closed the connection first. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    return null;
                }
                b.write(c);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within the timeout", e);
        } catch (SocketException e) {
            return null; // reset: closed
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** The server closes the connection within the socket's timeout (a timeout fails the test). */
    private static String closed(InputStream in, Kind kind) throws IOException {
        try {
            int b = in.read();
            assertThat(b).as("%s: nothing after the error", kind).isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(kind + ": the server did not close in time", e);
        } catch (SocketException e) {
            return "reset";
        }
        return "closed";
    }
}
