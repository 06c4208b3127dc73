package kvs.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A program's configuration file, {@code --config FILE}: the options' settings, one a line, Redis-style:
 * {@code name value}, the name being the option's without its dashes ({@code fsync always}, {@code data-dir
 * /var/lib/kvs}); blank lines and lines whose first non-blank character is {@code #} are ignored. A value
 * is the rest of the line, trimmed, or a double-quoted string (in which {@code \"} and {@code \\} stand
 * for {@code "} and {@code \}) when it must keep spaces at its ends. An option that takes several values
 * ({@code peer}) may be set on several lines. An option given on the command line overrides the file's
 * setting of it (all of them, for one that takes several). A name that is no option, a setting without a
 * value, or a value the option refuses is an error naming the file and line.
 */
final class ConfigFile {

    /** The option that names the file, and those that are no setting. */
    static final String OPTION = "--config";
    private static final Set<String> NOT_SETTINGS = Set.of(OPTION, "--help", "--version");

    /** One line's setting of {@code option}: {@code where} is FILE:LINE. */
    record Setting(String where, String option, String value) {
    }

    /** A file that cannot be read or holds a line that is no setting. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** The arguments to parse, the file's settings first, and which option each setting came from. */
    record Applied(String[] args, Map<String, String> origins) {
    }

    private ConfigFile() {
    }

    /**
     * {@code args} with the settings of the {@code --config} file they name, if any, put before them, leaving out
     * those of options {@code args} give; {@code command} makes a fresh instance of the program's command, to check
     * each setting alone.
     */
    static Applied apply(String[] args, Supplier<Object> command) throws Invalid {
        Path file = null;
        Set<String> given = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (!args[i].startsWith("--")) {
                continue;
            }
            int eq = args[i].indexOf('=');
            String option = eq < 0 ? args[i] : args[i].substring(0, eq);
            given.add(option);
            if (option.equals(OPTION)) {
                String value = eq >= 0 ? args[i].substring(eq + 1) : i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    return new Applied(args, Map.of()); // the parser says the value is missing
                }
                if (file != null) {
                    throw new Invalid(OPTION + " is given more than once");
                }
                file = Path.of(value);
            }
        }
        if (file == null) {
            return new Applied(args, Map.of());
        }
        List<String> merged = new ArrayList<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (Setting s : read(file, command)) {
            if (!given.contains(s.option())) {
                merged.add(s.option());
                merged.add(s.value());
                origins.putIfAbsent(s.option(), s.where());
            }
        }
        merged.addAll(List.of(args));
        return new Applied(merged.toArray(String[]::new), origins);
    }

    /** The settings of {@code file}, each checked by parsing it alone into a fresh {@code command}. */
    static List<Setting> read(Path file, Supplier<Object> command) throws Invalid {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new Invalid("cannot read the configuration file " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new Invalid("cannot read the configuration file " + file + ": it is not UTF-8 text");
        } catch (IOException e) {
            throw new Invalid("cannot read the configuration file " + file + ": " + e.getMessage());
        }
        CommandLine.Model.CommandSpec spec = new CommandLine(command.get()).getCommandSpec();
        List<Setting> settings = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + n;
            int space = indexOfBlank(line);
            String name = space < 0 ? line : line.substring(0, space);
            OptionSpec option = name.startsWith("-") ? null : spec.findOption("--" + name);
            if (option == null || NOT_SETTINGS.contains(option.longestName())) {
                throw new Invalid(where + ": unknown setting '" + name + "'");
            }
            if (space < 0) {
                throw new Invalid(where + ": " + name + " needs a value");
            }
            String value = value(line.substring(space).strip(), where);
            Setting setting = new Setting(where, option.longestName(), value);
            try {
                new CommandLine(command.get()).parseArgs(setting.option(), value);
            } catch (CommandLine.ParameterException e) {
                throw new Invalid(where + ": " + e.getMessage());
            }
            settings.add(setting);
        }
        return settings;
    }

    private static int indexOfBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** A value as written: bare, or quoted with {@code \"} and {@code \\} inside. */
    private static String value(String raw, String where) throws Invalid {
        if (!raw.startsWith("\"")) {
            return raw;
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                if (i != raw.length() - 1) {
                    throw new Invalid(where + ": text after the closing quote");
                }
                return value.toString();
            }
            if (c == '\\' && i + 1 < raw.length() && (raw.charAt(i + 1) == '"' || raw.charAt(i + 1) == '\\')) {
                c = raw.charAt(++i);
            }
            value.append(c);
        }
        throw new Invalid(where + ": a quoted value without its closing quote");
    }
}
