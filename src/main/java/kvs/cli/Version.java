package kvs.cli;

import kvs.BuildInfo;
import picocli.CommandLine;

/** The version from the pom, for {@code -V}. */
public final class Version implements CommandLine.IVersionProvider {

    static final String VERSION = BuildInfo.VERSION;

    @Override
    public String[] getVersion() {
        return new String[] {VERSION};
    }
}
