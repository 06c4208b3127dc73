package kvs.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS with the JDK's own implementation (README.md, "Running it safely"): TLS 1.3 and 1.2 only,
 * certificates and keys read from PEM files (the key unencrypted PKCS#8, as {@code openssl genpkey} and {@code openssl
 * req -noenc} write it). A bad file is an {@link IllegalArgumentException} that names it and says
 * what is wrong with it.
 */
public final class Tls {

    /** The protocol versions offered and accepted. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** The in-memory key store's password: the key never leaves this process's memory. */
    private static final char[] STORE_PASSWORD = "kvs".toCharArray();
    /** Key algorithms tried on a PKCS#8 key, which names its own. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private final SSLContext context;
    private final boolean clientCertificates;

    private Tls(SSLContext context, boolean clientCertificates) {
        this.context = context;
        this.clientCertificates = clientCertificates;
    }

    /**
     * A server's TLS: its certificate chain and key, and, when {@code clientCa} is given, client
     * certificates required and checked against that CA.
     *
     * @param certChain the PEM file of the server's certificate, then its chain
     * @param key       the PEM file of the certificate's private key (PKCS#8)
     * @param clientCa  the PEM file of the authorities client certificates must chain to, or null to ask none
     * @return the server's TLS
     * @throws IOException              if a file cannot be read
     * @throws IllegalArgumentException if a file holds no usable certificate or key, or the key is not the certificate's
     */
    public static Tls server(Path certChain, Path key, Path clientCa) throws IOException {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(key, "key");
        KeyManager[] keys = keyManagers(certChain, key);
        TrustManager[] trust = clientCa == null ? null : trustManagers(clientCa);
        return new Tls(context(keys, trust), clientCa != null);
    }

    /**
     * A client's TLS: servers are trusted if their certificate chains to {@code ca} (null: the
     * JDK's trusted authorities), and the client shows {@code cert} and {@code key} if given
     * (for a server that asks for client certificates).
     *
     * @param ca   the PEM file of the authorities to trust, or null for the JDK's
     * @param cert the PEM file of the client's certificate, or null to show none
     * @param key  the PEM file of its private key (PKCS#8), or null
     * @return the client's TLS
     * @throws IOException              if a file cannot be read
     * @throws IllegalArgumentException if a file holds no usable certificate or key
     */
    public static Tls client(Path ca, Path cert, Path key) throws IOException {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
        KeyManager[] keys = cert == null ? null : keyManagers(cert, key);
        TrustManager[] trust = ca == null ? null : trustManagers(ca);
        return new Tls(context(keys, trust), false);
    }

    /**
     * TLS over {@code plain}, a connection a server accepted, as its server side; the handshake
     * is the caller's to run. Closing {@code plain} ends the TLS socket at once, whatever it is
     * blocked in (a close of the TLS socket itself may wait to send its close_notify).
     *
     * @param plain the accepted connection
     * @return the TLS socket, before its handshake
     * @throws IOException if the socket cannot be layered
     */
    public SSLSocket serverSide(Socket plain) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, null, /* autoClose= */ true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setNeedClientAuth(clientCertificates);
        socket.setSSLParameters(parameters);
        return socket;
    }

    /**
     * TLS over {@code plain}, a socket connected to {@code host}, whose certificate must name that
     * host (or IP address); the handshake runs before this returns, within the socket's timeout.
     *
     * @param plain the connected socket
     * @param host  the host the certificate must name
     * @param port  the server's port
     * @return the TLS socket, after its handshake
     * @throws IOException if the handshake fails or times out
     */
    public SSLSocket wrap(Socket plain, String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, /* autoClose= */ true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(Path certChain, Path keyFile) throws IOException {
        List<X509Certificate> chain = certificates(certChain);
        PrivateKey key = privateKey(keyFile);
        checkPair(chain.get(0), key, certChain, keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("kvs", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, STORE_PASSWORD);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(certChain + " and " + keyFile + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path ca) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(ca)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(ca + " cannot be used as a certificate authority: " + e.getMessage(), e);
        }
    }

    /** The PEM certificates in {@code file}, in order (a server's own first, then its chain). */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<byte[]> blocks = pemBlocks(file, "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        return certificates;
    }

    /** The unencrypted PKCS#8 key in {@code file}; other forms are refused with the way to convert them. */
    static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " is encrypted; kvs needs an unencrypted PKCS#8 key"
                    + " (openssl pkcs8 -topk8 -nocrypt -in " + file + "), readable by the server's user only");
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " is not in PKCS#8 form; convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        }
        List<byte[]> blocks = pemBlocks(file, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(file + " must hold one PEM private key (-----BEGIN PRIVATE KEY-----), not "
                    + blocks.size());
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException(file + " holds a private key of none of the algorithms " + KEY_ALGORITHMS);
    }

    /** Checks that {@code key} is the private half of {@code certificate}'s public key, by signing with it. */
    private static void checkPair(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // RSASSA-PSS needs parameters: the handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "kvs".getBytes(StandardCharsets.ISO_8859_1);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(keyFile + " is not the key of the certificate in " + certFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyFile + " is not the key of the certificate in " + certFile + ": "
                    + e.getMessage(), e);
        }
    }

    /** The DER bytes of each {@code -----BEGIN type-----} block of {@code file}, in order. */
    private static List<byte[]> pemBlocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> blocks = new ArrayList<>();
        for (int from = text.indexOf(begin); from >= 0; from = text.indexOf(begin, from)) {
            int to = text.indexOf(end, from);
            if (to < 0) {
                throw new IllegalArgumentException(file + ": a PEM block has no " + end + " line");
            }
            try {
                blocks.add(Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": a PEM block is not valid base64", e);
            }
            from = to + end.length();
        }
        return blocks;
    }
}
