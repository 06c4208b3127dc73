package kvs.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import kvs.KvsException;
import kvs.client.Client;
import kvs.store.Bytes;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * kvs-client's interactive mode, as redis-cli's: each line is split as a shell would ({@link Words})
 * and run as the one-shot command it names, with that command's output and errors, on one
 * connection kept for the session. A connection that fails is dropped and the next command
 * connects again. Lines come from a terminal ({@link TerminalLines}, the one class that loads
 * JLine: a one-shot command starts faster without it) or, piped in, from standard input.
 */
final class ClientSession implements ClientMode, AutoCloseable {

    /** Where a session's lines come from. */
    @FunctionalInterface
    interface Lines {
        /** The next line, or null at the end of the input (Ctrl-D on a terminal). */
        String next() throws IOException;
    }

    private static final String HELP = "help";
    private static final List<String> QUIT = List.of("quit", "exit");

    private final Target target;
    private final PrintStream out;
    private final PrintStream err;
    /** kvs-client's command line, its subcommands without the connection options; picocli resets them for each line. */
    private final CommandLine commands;
    /** The connection: null before the first command and after one fails. Used by the session's thread alone. */
    private Client client;
    /** Whether the last command dropped a connection that failed. */
    private boolean lost;

    ClientSession(Target target, PrintStream out, PrintStream err) {
        this.target = target;
        this.out = out;
        this.err = err;
        commands = Cli.commandLine(new ClientMain(InputStream.nullInputStream(), out, err, this), out, err);
        for (CommandLine sub : commands.getSubcommands().values()) {
            // The connection options are the session's, given once to kvs-client: a line takes none.
            CommandSpec spec = sub.getCommandSpec();
            spec.options().stream().filter(OptionSpec::inherited).toList().forEach(spec::remove);
        }
        // A usage error is the message and the command's form, not the whole usage text: help COMMAND has that.
        commands.setParameterExceptionHandler((e, args) -> {
            err.println(e.getMessage());
            err.println("Usage: " + synopsis(e.getCommandLine()));
            return Cli.USAGE;
        });
    }

    /**
     * Whether standard input and output are a terminal. Java 21's System.console() is null unless
     * they are; from Java 22 it may not be, and Console.isTerminal() (not in 21's API) tells.
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Console.isTerminal(): " + e, e);
        }
    }

    /** A session on the terminal; ends with quit, exit or Ctrl-D, and exits 0 whatever its commands did. */
    static int interactive(Target target, PrintStream out, PrintStream err) throws KvsException {
        try (ClientSession session = new ClientSession(target, out, err);
                TerminalLines lines = TerminalLines.open(session.prompt(), session.names(),
                        TerminalLines.historyFile(System.getenv(), System.getProperty("user.home")), err)) {
            session.connect();
            session.run(lines);
            return Cli.OK;
        } catch (IOException e) {
            throw new KvsException("the terminal: " + e.getMessage(), e);
        }
    }

    /** A session of the lines of {@code in}, with no prompt; returns the highest exit code of its commands. */
    static int piped(Target target, InputStream in, PrintStream out, PrintStream err) throws KvsException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try (ClientSession session = new ClientSession(target, out, err)) {
            return session.run(reader::readLine);
        } catch (IOException e) {
            throw new KvsException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    /** The prompt: {@code kvs 127.0.0.1:4000> }, as --addr names the server (or the group's members). */
    String prompt() {
        return "kvs " + target.show() + "> ";
    }

    /** The words a line may begin with: the commands' names, help, quit and exit. */
    List<String> names() {
        List<String> names = new ArrayList<>(commands.getSubcommands().keySet());
        names.add(HELP);
        names.addAll(QUIT);
        return names;
    }

    /**
     * Runs the lines until the end of the input, quit or exit.
     *
     * @return 0 if every line succeeded, else the highest exit code of a line's (1 failed, 2 usage,
     *         3 a write's outcome unknown)
     */
    int run(Lines lines) throws IOException {
        int status = Cli.OK;
        for (String line = lines.next(); line != null; line = lines.next()) {
            List<String> words;
            try {
                words = Words.split(line);
            } catch (Words.Malformed e) {
                err.println(e.getMessage());
                status = Math.max(status, Cli.USAGE);
                continue;
            }
            if (words.isEmpty()) {
                continue;
            }
            String name = words.get(0).toLowerCase(Locale.ROOT);
            if (QUIT.contains(name)) {
                break;
            }
            status = Math.max(status, execute(name, words.subList(1, words.size())));
            if (lost) {
                lost = false;
                err.println("(the connection failed: the next command connects again)");
            }
        }
        out.flush();
        return status;
    }

    private int execute(String name, List<String> args) {
        if (name.equals(HELP)) {
            return help(args);
        }
        if (!commands.getSubcommands().containsKey(name)) {
            err.println("unknown command '" + name + "' (help lists the commands)");
            return Cli.USAGE;
        }
        List<String> line = new ArrayList<>(args.size() + 1);
        line.add(name);
        line.addAll(args);
        return commands.execute(line.toArray(String[]::new));
    }

    private int help(List<String> args) {
        if (args.isEmpty()) {
            out.println("Commands, one a line, as kvs-client takes them (help COMMAND describes one):");
            commands.getSubcommands().values().forEach(c -> out.println("  " + synopsis(c)));
            out.println("  " + HELP + " [COMMAND]");
            out.println("  " + String.join(" | ", QUIT) + " (or Ctrl-D)");
            return Cli.OK;
        }
        CommandLine command = args.size() == 1 ? commands.getSubcommands().get(args.get(0).toLowerCase(Locale.ROOT)) : null;
        if (command == null) {
            err.println("help: no command '" + String.join(" ", args) + "' (help lists the commands)");
            return Cli.USAGE;
        }
        command.usage(out);
        return Cli.OK;
    }

    /** A command's form: {@code set KEY VALUE [--ttl TTL]}. */
    private static String synopsis(CommandLine command) {
        StringBuilder s = new StringBuilder(command.getCommandName());
        CommandSpec spec = command.getCommandSpec();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            s.append(' ').append(p.paramLabel()).append(p.arity().max() > 1 ? "..." : "");
        }
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                s.append(" [").append(o.longestName()).append(o.arity().max() > 0 ? " " + o.paramLabel() : "").append(']');
            }
        }
        return s.toString();
    }

    /** Connects now, so that a server that cannot be reached is reported before the first command. */
    private void connect() {
        try {
            connection();
        } catch (KvsException e) {
            err.println(e.getMessage() + " (each command tries again)");
        }
    }

    private Client connection() throws KvsException {
        if (client == null) {
            client = target.connect();
        }
        return client;
    }

    @Override
    public Target target() {
        return target;
    }

    @Override
    public int run(OnClient command) throws KvsException {
        Client c = connection();
        try {
            return command.run(c);
        } catch (KvsException e) {
            if (e.getCause() instanceof IOException) {
                drop(e);
                lost = true;
            }
            throw e;
        }
    }

    /** Closes a connection that failed; how closing it went adds nothing to {@code failure}, but is kept with it. */
    private void drop(KvsException failure) {
        try {
            client.close();
        } catch (KvsException e) {
            failure.addSuppressed(e);
        }
        client = null;
    }

    @Override
    public Bytes standardInput() throws KvsException {
        throw new KvsException("VALUE '-' reads standard input, which a session's lines come from: give the value on the line");
    }

    @Override
    public void close() throws KvsException {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
