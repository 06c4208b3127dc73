package kvs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A session's lines from the terminal, through JLine: line editing, completion of the command
 * names, Ctrl-C to clear the line, and a history kept in a file as redis-cli keeps its own
 * (README.md, "Interactive mode"). The only class of kvs that uses JLine, and loaded only by an
 * interactive session on a terminal.
 */
final class TerminalLines implements ClientSession.Lines, AutoCloseable {

    /** Names the history file; empty or /dev/null keeps none (redis-cli's REDISCLI_HISTFILE). */
    static final String HISTORY_ENV = "KVS_HISTFILE";
    static final String HISTORY_DEFAULT = ".kvs_history";

    private final Terminal terminal;
    private final LineReader reader;
    private final String prompt;

    private TerminalLines(Terminal terminal, LineReader reader, String prompt) {
        this.terminal = terminal;
        this.reader = reader;
        this.prompt = prompt;
    }

    /**
     * The system terminal, showing {@code prompt} and completing a line's first word from {@code names},
     * with the history of {@code history} (in memory only if empty); a history file it cannot create
     * is reported on {@code err}, and the history kept in memory.
     */
    static TerminalLines open(String prompt, List<String> names, Optional<Path> history, PrintStream err) throws IOException {
        // The exec provider (stty) alone: kvs ships neither JLine's JNI library nor its FFM provider (Java 22+).
        Terminal terminal = TerminalBuilder.builder().system(true).provider("exec").name("kvs-client").build();
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("kvs-client")
                .completer(new ArgumentCompleter(new StringsCompleter(names), NullCompleter.INSTANCE))
                // A '!' is a character of a key or value, not a history event.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
        if (history.isPresent() && privateFile(history.get(), err)) {
            builder.variable(LineReader.HISTORY_FILE, history.get());
        }
        return new TerminalLines(terminal, builder.build(), prompt);
    }

    /**
     * The history file: {@code KVS_HISTFILE} if set ({@code ~/} at its start is {@code home}), none
     * if that is empty or /dev/null, else ~/.kvs_history.
     */
    static Optional<Path> historyFile(Map<String, String> env, String home) {
        String named = env.get(HISTORY_ENV);
        if (named == null) {
            return Optional.of(Path.of(home, HISTORY_DEFAULT));
        }
        if (named.isEmpty() || named.equals("/dev/null")) {
            return Optional.empty();
        }
        return Optional.of(named.startsWith("~/") ? Path.of(home, named.substring(2)) : Path.of(named));
    }

    /**
     * Creates {@code file}, if it is missing, readable by its owner only (the lines hold values, as
     * redis-cli's history does); whether it can be used.
     */
    private static boolean privateFile(Path file, PrintStream err) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return true;
        } catch (UnsupportedOperationException e) {
            return true; // not a POSIX file system: JLine creates it as it writes
        } catch (IOException e) {
            err.println("cannot create the history file " + file + ": " + e.getMessage() + " (the history is kept in memory)");
            return false;
        }
        return true;
    }

    @Override
    public String next() {
        while (true) {
            try {
                return reader.readLine(prompt);
            } catch (UserInterruptException e) {
                // Ctrl-C: the line is dropped, and a fresh one read
            } catch (EndOfFileException e) {
                return null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            reader.getHistory().save();
        } finally {
            terminal.close();
        }
    }
}
