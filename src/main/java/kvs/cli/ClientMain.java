package kvs.cli;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.client.KvsClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/** {@code kvs-client set KEY VALUE | get KEY | rm KEY [--addr IP:PORT]} (DESIGN §4). */
@Command(name = "kvs-client", versionProvider = Version.class, mixinStandardHelpOptions = true,
        description = "Talks to a kvs-server.", subcommands = {ClientMain.Set.class, ClientMain.Get.class, ClientMain.Rm.class})
public final class ClientMain implements Callable<Integer> {

    @Option(names = "--addr", paramLabel = "IP:PORT", converter = Addresses.class, scope = ScopeType.INHERIT,
            defaultValue = Addresses.DEFAULT, description = "Server address (default: ${DEFAULT-VALUE}).")
    InetSocketAddress addr;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.run(new ClientMain(), args));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: set, get or rm");
    }

    /** What every subcommand shares: the KEY, and one connection to the server for the command. */
    abstract static class KeyCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientMain parent;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public final Integer call() throws KvsException {
            try (KvsClient client = KvsClient.connect(parent.addr)) {
                return run(client);
            }
        }

        /** Runs the command; returns its exit code. */
        abstract int run(KvsClient client) throws KvsException;
    }

    @Command(name = "set", description = "Sets KEY to VALUE.", mixinStandardHelpOptions = true)
    static final class Set extends KeyCommand {
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        int run(KvsClient client) throws KvsException {
            client.set(key, value);
            return Cli.OK;
        }
    }

    @Command(name = "get", description = "Prints the value of KEY, or Key not found.", mixinStandardHelpOptions = true)
    static final class Get extends KeyCommand {
        @Override
        int run(KvsClient client) throws KvsException {
            Cli.OUT.println(client.get(key).orElse("Key not found"));
            return Cli.OK;
        }
    }

    @Command(name = "rm", description = "Removes KEY.", mixinStandardHelpOptions = true)
    static final class Rm extends KeyCommand {
        @Override
        int run(KvsClient client) throws KvsException {
            try {
                client.remove(key);
                return Cli.OK;
            } catch (KeyNotFoundException e) {
                Cli.ERR.println(e.getMessage());
                return Cli.FAILED;
            }
        }
    }
}
