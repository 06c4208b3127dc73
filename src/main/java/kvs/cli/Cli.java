package kvs.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import kvs.UnknownOutcomeException;
import picocli.CommandLine;

/**
 * What both programs share: UTF-8 output, exit codes 0/1/2 (and 3: a write's outcome unknown), and
 * one-line errors (README.md, "kvs-server options").
 */
public final class Cli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** kvs-client: a group did not answer a write in time, after it may have been applied (docs/CLUSTER.md). */
    static final int UNKNOWN_OUTCOME = 3;

    /** Standard output in UTF-8, whatever the platform's console encoding. */
    public static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    public static final PrintStream ERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private Cli() {
    }

    public static int run(Object command, String[] args) {
        return commandLine(command).execute(args);
    }

    /** Reports a usage error found before the arguments are parsed (a configuration file's) as the parser does its own. */
    static int usageError(Object command, String message) {
        CommandLine cl = commandLine(command);
        try {
            return cl.getParameterExceptionHandler().handleParseException(new CommandLine.ParameterException(cl, message), new String[0]);
        } catch (Exception e) {
            ERR.println(cl.getCommandName() + ": " + message);
            return USAGE;
        }
    }

    private static CommandLine commandLine(Object command) {
        return commandLine(command, OUT, ERR);
    }

    /** The command line of {@code command}, printing its help to {@code out} and its errors to {@code err}. */
    static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILED);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                throw pe; // a usage error found while running: reported as one
            }
            return failed(err, commandLine.getCommandName(), e);
        });
        return cl;
    }

    /** Reports a command's failure on one line of {@code err}; its exit code. */
    static int failed(PrintStream err, String command, Exception e) {
        err.println(command + ": " + oneLine(e));
        return e instanceof UnknownOutcomeException ? UNKNOWN_OUTCOME : FAILED;
    }

    /** Runs a command read without picocli ({@link FastArgs}) as picocli runs one: its exit code, a failure reported. */
    static int run(FastArgs.Command command) {
        try {
            return command.command().call();
        } catch (Exception e) {
            return failed(command.command().parent.err, command.name(), e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
