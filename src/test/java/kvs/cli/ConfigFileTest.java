package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.write(dir.resolve("kvs.conf"), List.of(lines));
    }

    @Test
    void settings_areNameValueLines_withCommentsBlankLinesAndQuotedValues() throws Exception {
        Path f = file("# a comment", "", "  fsync   always  ", "data-dir \" /srv/my kvs \"", "peer n1=a:1,b:2",
                "  # another", "peer n2=a:3,b:4", "cluster-id \"say \\\"hi\\\" \\\\ bye\"", "password-file /etc/kvs#1");
        assertThat(ConfigFile.read(f, ServerMain::new)).containsExactly(
                new ConfigFile.Setting(f + ":3", "--fsync", "always"),
                new ConfigFile.Setting(f + ":4", "--data-dir", " /srv/my kvs "),
                new ConfigFile.Setting(f + ":5", "--peer", "n1=a:1,b:2"),
                new ConfigFile.Setting(f + ":7", "--peer", "n2=a:3,b:4"),
                new ConfigFile.Setting(f + ":8", "--cluster-id", "say \"hi\" \\ bye"),
                new ConfigFile.Setting(f + ":9", "--password-file", "/etc/kvs#1"));
    }

    @Test
    void aLineThatIsNoSetting_isAnErrorNamingFileAndLine() throws Exception {
        assertInvalid(file("fsync always", "frob 1"), ":2: unknown setting 'frob'");
        assertInvalid(file("--fsync always"), ":1: unknown setting '--fsync'");
        assertInvalid(file("fsync=always"), ":1: unknown setting 'fsync=always'");
        assertInvalid(file("help yes"), ":1: unknown setting 'help'");
        assertInvalid(file("version 1"), ":1: unknown setting 'version'");
        assertInvalid(file("config other.conf"), ":1: unknown setting 'config'");
        assertInvalid(file("", "fsync"), ":2: fsync needs a value");
        assertInvalid(file("data-dir \"/srv/kvs"), ":1: a quoted value without its closing quote");
        assertInvalid(file("data-dir \"/srv\" kvs"), ":1: text after the closing quote");
        assertInvalid(file("# ok", "max-clients many"), ":2: Invalid value for option '--max-clients': 'many' is not an int");
        assertInvalid(file("addr localhost"), ":1: ");
    }

    @Test
    void aFileThatCannotBeRead_isAnError() throws Exception {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("absent.conf"), ServerMain::new))
                .isInstanceOf(ConfigFile.Invalid.class).hasMessageContaining("absent.conf: no such file");
        Path binary = Files.write(dir.resolve("binary.conf"), new byte[] {'f', 's', ' ', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> ConfigFile.read(binary, ServerMain::new))
                .isInstanceOf(ConfigFile.Invalid.class).hasMessageContaining("not UTF-8");
    }

    private static void assertInvalid(Path f, String message) {
        assertThatThrownBy(() -> ConfigFile.read(f, ServerMain::new)).isInstanceOf(ConfigFile.Invalid.class)
                .hasMessageStartingWith(f + message.substring(0, message.indexOf(':', 1) + 1))
                .hasMessageContaining(message);
    }

    @Test
    void theCommandLine_overridesTheFile_andTheFileComesFirst() throws Exception {
        Path f = file("fsync always", "max-clients 5", "peer n1=a:1,b:2", "peer n2=a:3,b:4");
        ConfigFile.Applied applied = ConfigFile.apply(new String[] {"--config", f.toString(), "--fsync", "never"}, ServerMain::new);
        assertThat(applied.args()).containsExactly("--max-clients", "5", "--peer", "n1=a:1,b:2", "--peer", "n2=a:3,b:4",
                "--config", f.toString(), "--fsync", "never");
        assertThat(applied.origins()).isEqualTo(Map.of("--max-clients", f + ":2", "--peer", f + ":3"));

        ConfigFile.Applied peers = ConfigFile.apply(new String[] {"--config=" + f, "--peer=n9=a:1,b:2"}, ServerMain::new);
        assertThat(peers.args()).as("a --peer given drops the file's").containsExactly("--fsync", "always",
                "--max-clients", "5", "--config=" + f, "--peer=n9=a:1,b:2");

        String[] none = {"--fsync", "never"};
        assertThat(ConfigFile.apply(none, ServerMain::new).args()).isSameAs(none);
        assertThatThrownBy(() -> ConfigFile.apply(new String[] {"--config", f.toString(), "--config", f.toString()}, ServerMain::new))
                .isInstanceOf(ConfigFile.Invalid.class).hasMessage("--config is given more than once");
    }

    @Test
    void theSettingsTheFileGives_areTheOnesTheServerRuns() throws Exception {
        Path f = file("fsync never", "max-clients 7", "cluster-id blue", "data-dir " + dir);
        ServerMain server = new ServerMain();
        new CommandLine(server).parseArgs(ConfigFile.apply(new String[] {"--config", f.toString(), "--max-clients", "9"},
                ServerMain::new).args());
        assertThat(server.fsync).isEqualTo("never");
        assertThat(server.maxClients).isEqualTo(9);
        assertThat(server.cluster.clusterId).isEqualTo("blue");
        assertThat(server.dataDir).isEqualTo(dir);
    }

    @Test
    void aBadValueTheServerFinds_isAUsageError_asOnTheCommandLine() throws Exception {
        assertThat(ServerMain.run(new String[] {"--config", file("protected-mode maybe").toString()})).isEqualTo(Cli.USAGE);
        assertThat(ServerMain.run(new String[] {"--config", file("frob 1").toString()})).isEqualTo(Cli.USAGE);
        assertThat(ServerMain.run(new String[] {"--config", dir.resolve("absent.conf").toString()})).isEqualTo(Cli.USAGE);
    }

    /** conf/kvs.conf documents every setting, and each example in it (uncommented) is one the server takes. */
    @Test
    void theExampleFile_listsEverySetting_withValuesTheServerTakes() throws Exception {
        Path example = Path.of("conf/kvs.conf");
        List<String> uncommented = new ArrayList<>();
        for (String line : Files.readAllLines(example)) {
            if (line.matches("# [a-z][a-z-]* [^ ]+")) { // "# name value": a setting, commented out
                uncommented.add(line.substring(2));
            }
        }
        List<ConfigFile.Setting> settings = ConfigFile.read(Files.write(dir.resolve("all.conf"), uncommented), ServerMain::new);
        Set<String> documented = new TreeSet<>();
        settings.forEach(s -> documented.add(s.option()));
        Set<String> options = new TreeSet<>();
        for (CommandLine.Model.OptionSpec o : new CommandLine(new ServerMain()).getCommandSpec().options()) {
            options.add(o.longestName());
        }
        options.removeAll(Set.of("--help", "--version", "--config"));
        assertThat(documented).isEqualTo(options);
    }
}
