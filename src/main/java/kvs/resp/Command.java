package kvs.resp;

import java.util.Map;

import kvs.command.Ops;

/**
 * A command of the table: its name, its arity as Redis counts it (n: exactly n arguments with
 * the name; -n: at least n), and how it is planned, or its subcommands for a container command
 * such as CLIENT.
 */
record Command(String name, int arity, Handler handler, Map<String, Command> subcommands) {

    /** Checks the arguments, adds the command's operations, and returns how to reply once they have run. */
    @FunctionalInterface
    interface Handler {
        Reply plan(Args args, Ops ops, RespSession client);
    }

    static Command of(String name, int arity, Handler handler) {
        return new Command(name, arity, handler, Map.of());
    }

    /** A container whose subcommands are named {@code name|sub}; with no subcommand, it runs {@code handler}. */
    static Command container(String name, int arity, Handler handler, Command... subcommands) {
        Map<String, Command> subs = new java.util.HashMap<>();
        for (Command c : subcommands) {
            subs.put(c.name().substring(name.length() + 1), c);
        }
        return new Command(name, arity, handler, Map.copyOf(subs));
    }

    boolean arityFits(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
