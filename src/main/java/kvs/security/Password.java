package kvs.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A password, held only as its SHA-256 digest and checked in constant time: a guess's digest is
 * compared with the password's in full, so the time taken says nothing about how much of the
 * guess was right, nor about the password's length. Read from a file's first line or from the
 * environment variable {@value #ENV}, never from a command line (README.md, "Running it safely").
 */
public final class Password {

    /** The environment variable that may hold the password. */
    public static final String ENV = "KVS_PASSWORD";

    private static final Logger log = LoggerFactory.getLogger(Password.class);
    /** Longer first lines are refused: a password file holds one short line. */
    private static final int MAX_BYTES = 4096;

    private final byte[] digest;

    private Password(byte[] utf8) {
        this.digest = sha256(utf8);
    }

    /**
     * The password {@code text}.
     *
     * @param text the password
     * @return the password
     * @throws IllegalArgumentException if it is empty
     */
    public static Password of(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        return new Password(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The first line of {@code file} (without its line end). Warns when others than the owner
     * may read the file.
     *
     * @param file the password file
     * @return the password on its first line
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if its first line is empty or longer than 4096 bytes
     */
    public static Password fromFile(Path file) throws IOException {
        String first = firstLine(file);
        warnIfReadableByOthers(file);
        try {
            return of(first);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the first line, the password, is empty", e);
        }
    }

    /**
     * The first line of {@code file}, without its line end: what a client sends as its password.
     *
     * @param file the password file
     * @return its first line, which may be empty
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the line is longer than 4096 bytes
     */
    public static String firstLine(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(MAX_BYTES + 2); // a line of MAX_BYTES and its CR LF
        }
        int end = 0;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        if (end > 0 && head[end - 1] == '\r') {
            end--;
        }
        if (end > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": the first line is longer than " + MAX_BYTES + " bytes");
        }
        return new String(head, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * The password given by {@code file} if not null, else by the environment's {@value #ENV},
     * else null (no password).
     *
     * @param file        the password file, or null
     * @param environment the environment to read {@value #ENV} from
     * @return the password, or null when neither gives one
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if the file's first line or {@value #ENV} is empty
     */
    public static Password fromFileOrEnvironment(Path file, Map<String, String> environment) throws IOException {
        if (file != null) {
            return fromFile(file);
        }
        String value = environment.get(ENV);
        if (value == null) {
            return null;
        }
        try {
            return of(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV + " is set but empty", e);
        }
    }

    /**
     * Whether {@code guess} (UTF-8) is this password, in time that depends on neither.
     *
     * @param guess the password a client gave, in UTF-8
     * @return whether it is this one
     */
    public boolean matches(byte[] guess) {
        return MessageDigest.isEqual(sha256(guess), digest);
    }

    /**
     * Whether {@code guess} is this password, in time that depends on neither.
     *
     * @param guess the password a client gave
     * @return whether it is this one
     */
    public boolean matches(String guess) {
        return matches(guess.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Password[hidden]";
    }

    private static void warnIfReadableByOthers(Path file) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to judge by
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
            log.warn("{} may be read by others than its owner: chmod 600 it", file);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
