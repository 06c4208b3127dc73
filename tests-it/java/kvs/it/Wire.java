package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * How an abusive test client speaks: the kvs protocol, or RESP to the server's --resp-addr
 * listener (the server must be started with it), so one test covers both listeners.
 */
enum Wire {
    KVS, RESP;

    InetSocketAddress address(ServerProcess server) {
        return this == KVS ? server.address() : new InetSocketAddress("127.0.0.1", server.respPort());
    }

    /** The first bytes of a request carrying {@code length} bytes (as much as 2^31), which the rest never follows. */
    byte[] startOfARequest(long length) {
        return this == KVS ? ByteBuffer.allocate(4).putInt((int) length).array() // 2^31 as the unsigned prefix
                : ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    byte[] get(String key) throws IOException {
        if (this == RESP) {
            return RespAbuseIT.cmd("GET", key);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Frames.write(frame, Codec.encode(new Request.Get(key)));
        return frame.toByteArray();
    }

    /**
     * Checks that the server refused a request above the maximum ({@code too_large}; RESP's
     * invalid bulk length), then closed the connection without waiting for the rest.
     */
    void expectRefusedAndClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        if (this == KVS) {
            byte[] body = Frames.read(new DataInputStream(in), Frames.DEFAULT_MAX_FRAME);
            assertThat(body).as("an answer before the close").isNotNull();
            assertThat(Codec.decodeResponse(body)).isInstanceOfSatisfying(Response.Error.class,
                    e -> assertThat(e.code()).isEqualTo("too_large"));
        } else {
            byte[] want = "-ERR Protocol error: invalid bulk length\r\n".getBytes(StandardCharsets.US_ASCII);
            assertThat(in.readNBytes(want.length)).isEqualTo(want);
        }
        try {
            assertThat(in.read()).as("nothing after the refusal").isEqualTo(-1);
        } catch (SocketException e) {
            // reset: closed with the unread rest of our request in its buffer
        }
    }
}
