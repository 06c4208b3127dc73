package kvs.cli;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one-shot commands' everyday forms, read without picocli. picocli 4.7's classes are Java 5 class
 * files, which the JVM can neither archive nor link ahead of time: loading, verifying and running them
 * was most of a one-shot command's time (README.md, "Client start"). So kvs-client reads these forms
 * itself and leaves every other command line to picocli, whose usage errors, help and exit codes stay
 * the only ones: help and version options, the interactive session, the TLS and password options,
 * {@code @files}, {@code cluster}, and anything malformed, a value the converters refuse included.
 * FastArgsTest holds both readings of every form equal.
 *
 * <p>The forms: {@code --addr A} (or {@code --addr=A}) at most once, anywhere, and a command with its
 * words: {@code get KEY [--raw]}, {@code set KEY VALUE [--ttl TTL]}, {@code rm}, {@code ttl} or
 * {@code persist KEY}, {@code expire KEY TTL}, {@code mget KEY...}, {@code ping}, {@code stats}. A
 * command's option comes after its name; a word starting with {@code -} (but {@code -} alone, set's
 * standard input) or {@code @} is not taken.
 */
final class FastArgs {

    private FastArgs() {
    }

    /** A command read from the command line: its name, and the command with its options, ready to run. */
    record Command(String name, ClientMain.Connected command) {
    }

    /** The command {@code args} name, its options read into a new {@link ClientMain}; or empty: picocli's to read. */
    static Optional<Command> read(String[] args) {
        String addr = null;
        String ttl = null;
        boolean raw = false;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String option = arg.startsWith("--") && arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean attached = !option.equals(arg);
            switch (option) {
                case "--addr", "--ttl" -> {
                    String value = attached ? arg.substring(option.length() + 1) : i + 1 < args.length ? args[++i] : null;
                    if (value == null || !plain(value) || (option.equals("--ttl") && words.isEmpty())) {
                        return Optional.empty();
                    }
                    if (option.equals("--addr") ? addr != null : ttl != null) {
                        return Optional.empty();
                    }
                    if (option.equals("--addr")) {
                        addr = value;
                    } else {
                        ttl = value;
                    }
                }
                case "--raw" -> {
                    if (attached || raw || words.isEmpty()) {
                        return Optional.empty();
                    }
                    raw = true;
                }
                default -> {
                    if (!plain(arg)) {
                        return Optional.empty();
                    }
                    words.add(arg);
                }
            }
        }
        if (words.isEmpty()) {
            return Optional.empty();
        }
        String name = words.get(0);
        List<String> rest = words.subList(1, words.size());
        if ((raw && !name.equals("get")) || (ttl != null && !name.equals("set"))) {
            return Optional.empty();
        }
        String addresses = addr != null ? addr : Addresses.DEFAULT;
        try {
            Optional<ClientMain.Connected> command = command(name, rest, raw, ttl);
            if (command.isPresent()) {
                command.get().parent = new ClientMain();
                command.get().parent.addrs = addresses(addresses);
            }
            return command.map(c -> new Command(name, c));
        } catch (RuntimeException e) {
            return Optional.empty(); // a value a converter refuses: picocli says why
        }
    }

    private static Optional<ClientMain.Connected> command(String name, List<String> words, boolean raw, String ttl) {
        int n = words.size();
        return Optional.ofNullable(switch (name) {
            case "get" -> n != 1 ? null : key(new ClientMain.Get(), words, get -> get.raw = raw);
            case "set" -> n != 2 ? null : key(new ClientMain.Set(), words, set -> {
                set.value = words.get(1);
                set.ttl = ttl == null ? null : new TimeToLive.Positive().convert(ttl);
            });
            case "expire" -> n != 2 ? null : key(new ClientMain.Expire(), words,
                    expire -> expire.ttl = new TimeToLive().convert(words.get(1)));
            case "rm" -> n != 1 ? null : key(new ClientMain.Rm(), words, rm -> { });
            case "ttl" -> n != 1 ? null : key(new ClientMain.Ttl(), words, t -> { });
            case "persist" -> n != 1 ? null : key(new ClientMain.Persist(), words, p -> { });
            case "mget" -> {
                if (n == 0) {
                    yield null;
                }
                ClientMain.Mget mget = new ClientMain.Mget();
                mget.keys = new ArrayList<>(words);
                yield mget;
            }
            case "ping" -> n != 0 ? null : new ClientMain.Ping();
            case "stats" -> n != 0 ? null : new ClientMain.Stats();
            default -> null;
        });
    }

    private static <C extends ClientMain.KeyCommand> C key(C command, List<String> words,
                                                          Consumer<C> more) {
        command.key = words.get(0);
        more.accept(command);
        return command;
    }

    /** --addr's value: one address or several, comma-separated, as picocli splits it. */
    private static List<InetSocketAddress> addresses(String value) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String one : value.split(",", -1)) {
            addresses.add(new Addresses().convert(one));
        }
        return addresses;
    }

    /** A word taken as it is: not an option's look, nor an @file. */
    private static boolean plain(String word) {
        return !word.startsWith("@") && (!word.startsWith("-") || word.equals("-"));
    }
}
