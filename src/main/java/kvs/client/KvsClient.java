package kvs.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.Optional;

import kvs.KeyNotFoundException;
import kvs.KvsEngine;
import kvs.KvsException;
import kvs.internal.HostPort;
import kvs.protocol.Codec;
import kvs.protocol.ErrorCode;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;

/**
 * A client of kvs-server over one persistent connection, with {@link KvsEngine}'s types and
 * exceptions: a server-side "Key not found" is a {@link KeyNotFoundException} again, any other
 * error a {@link KvsException} with the server's code and message. Thread-safe: concurrent
 * calls take turns on the connection.
 */
public final class KvsClient implements KvsEngine {

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final InetSocketAddress address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int maxFrame;
    private boolean closed;

    private KvsClient(InetSocketAddress address, Socket socket, int maxFrame) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.maxFrame = maxFrame;
    }

    /** Connects to a kvs-server at {@code address}. */
    public static KvsClient connect(InetSocketAddress address) throws KvsException {
        return connect(address, Frames.DEFAULT_MAX_FRAME);
    }

    /**
     * Connects to a kvs-server at {@code address}, accepting responses up to {@code maxFrame} bytes.
     *
     * @throws KvsException if the server cannot be reached
     */
    public static KvsClient connect(InetSocketAddress address, int maxFrame) throws KvsException {
        Objects.requireNonNull(address, "address");
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, CONNECT_TIMEOUT_MS);
            return new KvsClient(address, socket, maxFrame);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new KvsException("cannot connect to " + HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void set(String key, String value) throws KvsException {
        expect(call(new Request.Set(key, value)), Response.Ok.class);
    }

    @Override
    public Optional<String> get(String key) throws KvsException {
        return Optional.ofNullable(expect(call(new Request.Get(key)), Response.Value.class).value());
    }

    @Override
    public void remove(String key) throws KvsException {
        expect(call(new Request.Remove(key)), Response.Ok.class);
    }

    private synchronized Response call(Request request) throws KvsException {
        if (closed) {
            throw new IllegalStateException("KvsClient is closed");
        }
        byte[] body = Codec.encode(request);
        if (body.length > maxFrame) {
            throw new KvsException("the request of " + body.length + " bytes is above the maximum frame of "
                    + maxFrame + " bytes");
        }
        try {
            Frames.write(out, body);
            out.flush();
            byte[] reply = Frames.read(in, maxFrame);
            if (reply == null) {
                throw new EOFException("the server closed the connection");
            }
            return Codec.decodeResponse(reply);
        } catch (IOException e) {
            throw new KvsException(HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }

    private <T extends Response> T expect(Response response, Class<T> type) throws KvsException {
        if (response instanceof Response.Error e) {
            if (e.is(ErrorCode.KEY_NOT_FOUND)) {
                throw new KeyNotFoundException();
            }
            throw new KvsException("server error " + e.code() + ": " + e.message());
        }
        if (!type.isInstance(response)) {
            throw new KvsException("unexpected response from " + HostPort.show(address) + ": " + response);
        }
        return type.cast(response);
    }

    @Override
    public synchronized void close() throws KvsException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            throw new KvsException("closing the connection to " + HostPort.show(address) + ": " + e.getMessage(), e);
        }
    }
}
