package kvs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import kvs.KvsException;
import kvs.client.KvsClient;
import kvs.protocol.Codec;
import kvs.protocol.Frames;
import kvs.protocol.Request;
import kvs.protocol.Response;
import kvs.security.TestCertificates;
import kvs.security.Tls;

/**
 * How the reliability and abuse suites reach the server: in the clear with no password, or over
 * TLS with a password (issue 15: "the reliability and abuse suites run once more with auth and TLS
 * on"). A secured transport makes its own certificate (keytool) and password file; the server
 * started with {@link #serverArgs} uses them, and every connection the test opens through
 * {@link #connect} has finished its TLS handshake and authenticated before the abuse begins.
 */
final class Transport {

    /**
     * Handshakes in progress at once, from all of a test's threads. The server's read timeout
     * (0.5 s in the storms) covers the TLS handshake, and 64 handshakes begun together against a
     * cold server on two cores outlast it: the reliability profile saw 5 of a storm's 64 first
     * connections cut off mid-handshake. Connecting is not what these tests abuse.
     */
    private static final Semaphore HANDSHAKES = new Semaphore(8, true);

    /** Plain TCP, no password: the server as it starts by default on loopback. */
    static final Transport PLAIN = new Transport(null, null, null, null, KvsClient.Options.defaults());

    /** The two ways, for parameterized tests. */
    enum Kind {
        PLAIN, TLS_AND_PASSWORD;

        /** This kind's transport, its files (if any) in {@code dir}. */
        Transport in(Path dir) throws IOException {
            return this == PLAIN ? Transport.PLAIN : secured(dir);
        }
    }

    private final String password;
    private final Path passwordFile;
    private final TestCertificates certificates;
    private final SSLSocketFactory tls;
    private final KvsClient.Options clientOptions;

    private Transport(String password, Path passwordFile, TestCertificates certificates, SSLSocketFactory tls,
                      KvsClient.Options clientOptions) {
        this.password = password;
        this.passwordFile = passwordFile;
        this.certificates = certificates;
        this.tls = tls;
        this.clientOptions = clientOptions;
    }

    /** TLS with a certificate made for 127.0.0.1, and a password, written to files in {@code dir}. */
    static Transport secured(Path dir) throws IOException {
        try {
            TestCertificates certs = TestCertificates.make(dir, "kvs-it");
            String password = "it-" + Long.toHexString(new java.security.SecureRandom().nextLong());
            Path file = Files.createFile(dir.resolve("password"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, password + "\n");
            return new Transport(password, file, certs, certs.trustingContext().getSocketFactory(),
                    KvsClient.Options.defaults().withPassword(password).withTls(Tls.client(certs.cert(), null, null)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    boolean secured() {
        return tls != null;
    }

    /** The server's arguments for this transport, followed by {@code more}. */
    String[] serverArgs(String... more) {
        List<String> args = new ArrayList<>();
        if (secured()) {
            args.addAll(List.of("--password-file", passwordFile.toString(),
                    "--tls-cert", certificates.cert().toString(), "--tls-key", certificates.key().toString()));
        }
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A KvsClient connected (and authenticated) to {@code address}. */
    KvsClient client(InetSocketAddress address) throws KvsException {
        return KvsClient.connect(address, clientOptions);
    }

    /**
     * A socket connected to {@code address} within {@code timeoutMs}; when secured, its TLS
     * handshake done and authenticated on {@code wire}'s protocol, so what the test sends next
     * meets the server's checks after authentication.
     */
    Socket connect(InetSocketAddress address, int timeoutMs, Wire wire) throws IOException {
        if (!secured()) {
            return plainSocket(address, timeoutMs);
        }
        // From the TCP connect on: the server's read timeout runs from its accept.
        HANDSHAKES.acquireUninterruptibly();
        try {
            Socket plain = plainSocket(address, timeoutMs);
            try {
                SSLSocket s = (SSLSocket) tls.createSocket(plain, address.getHostString(), address.getPort(), true);
                s.startHandshake();
                authenticate(s, wire);
                return s;
            } catch (IOException | RuntimeException | Error e) {
                plain.close();
                throw e;
            }
        } finally {
            HANDSHAKES.release();
        }
    }

    private static Socket plainSocket(InetSocketAddress address, int timeoutMs) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, timeoutMs);
            plain.setSoTimeout(timeoutMs);
            return plain;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private void authenticate(Socket s, Wire wire) throws IOException {
        InputStream in = s.getInputStream();
        if (wire == Wire.KVS) {
            Frames.write(s.getOutputStream(), Codec.encode(new Request.Auth(password)));
            s.getOutputStream().flush();
            byte[] body = Frames.read(new DataInputStream(in), Frames.DEFAULT_MAX_FRAME);
            assertThat(body).as("an answer to auth").isNotNull();
            assertThat(Codec.decodeResponse(body)).as("the answer to auth").isInstanceOf(Response.Ok.class);
        } else {
            s.getOutputStream().write(RespAbuseIT.cmd("AUTH", password));
            s.getOutputStream().flush();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n' && c >= 0; ) {
                line.write(c);
            }
            assertThat(line.toString(StandardCharsets.US_ASCII)).as("the answer to AUTH").isEqualTo("+OK\r");
        }
    }

    @Override
    public String toString() {
        return secured() ? "TLS and a password" : "plain";
    }
}
