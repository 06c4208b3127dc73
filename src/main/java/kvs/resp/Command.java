package kvs.resp;

import java.util.Map;

import kvs.command.Ops;

/**
 * A command of the table: its name, its arity as Redis counts it (n: exactly n arguments with
 * the name; -n: at least n), and how it is planned, or its subcommands for a container command
 * such as CLIENT.
 */
record Command(String name, int arity, Handler handler, Map<String, Command> subcommands, Keys keys) {

    /**
     * Where a command's keys are among its arguments, as Redis's command table says: from
     * {@code first} to {@code last} (negative: counted from the end, -1 the last), every
     * {@code step}th. A sharded cluster routes a command by its keys' slot.
     */
    record Keys(int first, int last, int step) {
    }

    /** A command with no keys. */
    static final Keys NO_KEYS = null;

    /** Checks the arguments, adds the command's operations, and returns how to reply once they have run. */
    @FunctionalInterface
    interface Handler {
        Reply plan(Args args, Ops ops, RespSession client);
    }

    static Command of(String name, int arity, Handler handler) {
        return new Command(name, arity, handler, Map.of(), NO_KEYS);
    }

    /** A command with one key, its first argument. */
    static Command oneKey(String name, int arity, Handler handler) {
        return keyed(name, arity, 1, 1, 1, handler);
    }

    /** A command whose keys are arguments {@code first} to {@code last}, every {@code step}th. */
    static Command keyed(String name, int arity, int first, int last, int step, Handler handler) {
        return new Command(name, arity, handler, Map.of(), new Keys(first, last, step));
    }

    /** The positions of the keys among {@code argc} arguments, in order; none for a command without keys. */
    int[] keyPositions(int argc) {
        if (keys == null) {
            return new int[0];
        }
        int last = Math.min(keys.last() < 0 ? argc + keys.last() : keys.last(), argc - 1);
        int n = last < keys.first() ? 0 : (last - keys.first()) / keys.step() + 1;
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = keys.first() + i * keys.step();
        }
        return positions;
    }

    /**
     * The hash slot of the keys {@code args} names, {@link kvs.slots.HashSlot#SEVERAL} when they
     * fall in several, or {@link kvs.command.Ops#NO_SLOT} for a command without keys.
     */
    int slot(Args args) {
        int slot = kvs.command.Ops.NO_SLOT;
        for (int i : keyPositions(args.size())) {
            int s = kvs.slots.HashSlot.of(args.key(i));
            if (slot != kvs.command.Ops.NO_SLOT && s != slot) {
                return kvs.slots.HashSlot.SEVERAL;
            }
            slot = s;
        }
        return slot;
    }

    /** A container whose subcommands are named {@code name|sub}; with no subcommand, it runs {@code handler}. */
    static Command container(String name, int arity, Handler handler, Command... subcommands) {
        Map<String, Command> subs = new java.util.HashMap<>();
        for (Command c : subcommands) {
            subs.put(c.name().substring(name.length() + 1), c);
        }
        return new Command(name, arity, handler, Map.copyOf(subs), NO_KEYS);
    }

    boolean arityFits(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
