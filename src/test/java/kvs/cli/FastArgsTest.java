package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * kvs-client's everyday forms, read without picocli ({@link FastArgs}), read as picocli reads them; every
 * other command line left to picocli.
 */
class FastArgsTest {

    /** Forms FastArgs takes: each must be read to the same command and options as picocli reads it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "get k", "get k --raw", "get --raw k", "--addr 127.0.0.1:4001 get k", "get k --addr 127.0.0.1:4001",
        "get --addr=127.0.0.1:4001 k", "--addr=[::1]:4002 get k", "--addr 127.0.0.1:1,127.0.0.1:2,127.0.0.1:3 get k",
        "set k v", "set k - ", "set k v --ttl 30s", "set --ttl=500ms k v", "set k v --ttl 7", "--addr localhost:9 set k v",
        "rm k", "ttl k", "persist k", "expire k 0", "expire k 2h", "mget a", "mget a b c a", "ping", "stats",
        "get get", "set set set", "mget ping stats", "get k=v", "get é", "set ключ значение",
    })
    void everydayForms_areReadAsPicocliReadsThem(String line) {
        String[] args = line.isBlank() ? new String[0] : line.trim().split(" ");
        Optional<FastArgs.Command> fast = FastArgs.read(args);
        assertThat(fast).as("read without picocli: %s", line).isPresent();
        assertThat(fast.get().name()).isEqualTo(args[indexOfCommand(args)]);
        assertThat(describe(fast.get().command())).isEqualTo(describe(picocli(args)));
    }

    /** Everything else goes to picocli: its help, its errors, the options only it reads. */
    @ParameterizedTest
    @ValueSource(strings = {
        "", "-h", "--help", "-V", "get -h", "set --help", "-i", "--interactive", "-i get k", "cluster", "unknown k",
        "get", "get a b", "set k", "set k v w", "rm", "rm a b", "mget", "ping x", "stats x", "expire k", "persist",
        "--raw get k", "get k --raw --raw", "get k --raw=true", "--ttl 5s set k v", "set k v --ttl", "set k v --ttl 0",
        "set k v --ttl 5s --ttl 6s", "get k --ttl 5s", "rm k --raw", "expire k soon", "expire k -1",
        "--addr", "get k --addr", "--addr a --addr b get k", "--addr 127.0.0.1:1 --addr 127.0.0.1:2 get k",
        "--addr nowhere get k", "--addr 127.0.0.1:99999 get k", "--addr 127.0.0.1:1, get k", "--addr=,x get k",
        "--password-file p get k", "--tls get k", "--cacert c get k", "get -k", "get -- -k", "set k -v",
        "get @args", "set k @v", "--addr @a get k", "get k -", "get --RAW k", "GET k",
    })
    void everyOtherForm_isPicocliS(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThat(FastArgs.read(args)).as("left to picocli: '%s'", line).isEmpty();
    }

    private static int indexOfCommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--addr")) {
                i++;
            } else if (!args[i].startsWith("--")) {
                return i;
            }
        }
        throw new IllegalArgumentException("no command");
    }

    /** The subcommand picocli reads from {@code args}, with its options set; its parse must succeed. */
    private static ClientMain.Connected picocli(String[] args) {
        PrintStream discard = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine cl = Cli.commandLine(new ClientMain(discard, discard), discard, discard);
        CommandLine.ParseResult result = cl.parseArgs(args);
        assertThat(result.hasSubcommand()).as("picocli reads a command").isTrue();
        return (ClientMain.Connected) result.subcommand().commandSpec().userObject();
    }

    /** All a command and its parent's options hold, as text. */
    private static String describe(ClientMain.Connected command) {
        StringBuilder s = new StringBuilder(command.getClass().getSimpleName());
        if (command instanceof ClientMain.KeyCommand k) {
            s.append(" key=").append(k.key);
        }
        switch (command) {
            case ClientMain.Get get -> s.append(" raw=").append(get.raw);
            case ClientMain.Set set -> s.append(" value=").append(set.value).append(" ttl=").append(set.ttl);
            case ClientMain.Expire expire -> s.append(" ttl=").append(expire.ttl);
            case ClientMain.Mget mget -> s.append(" keys=").append(mget.keys);
            default -> { }
        }
        ClientMain parent = command.parent;
        return s.append(" addrs=").append(parent.addrs).append(" password-file=").append(parent.passwordFile)
                .append(" tls=").append(parent.tls).append(" cacert=").append(parent.cacert).append(" cert=")
                .append(parent.cert).append(" key=").append(parent.key).append(" interactive=")
                .append(parent.interactive).toString();
    }
}
