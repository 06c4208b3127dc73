package kvs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine;

/** The version from the pom, filtered into kvs/version.properties at build time. */
public final class Version implements CommandLine.IVersionProvider {

    static final String VERSION = load();

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/kvs/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {VERSION};
    }
}
