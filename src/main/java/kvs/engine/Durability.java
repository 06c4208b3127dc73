package kvs.engine;

import java.util.Locale;

/** When an acknowledged write is forced to stable storage; every mode hands it to the OS before the ack. */
public enum Durability {
    /** fsync before every acknowledgement (power-loss safe); concurrent writers share one fsync. */
    ALWAYS,
    /** fsync at least once a second, as Redis's {@code appendfsync everysec}. */
    EVERYSEC,
    /** never fsync; the operating system writes dirty pages back when it chooses. */
    NEVER;

    /**
     * The name used on the command line and in docs.
     *
     * @return {@code always}, {@code everysec} or {@code never}
     */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line name.
     *
     * @param name {@code always}, {@code everysec} or {@code never}
     * @return the mode of that name
     * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
     */
    public static Durability parse(String name) {
        for (Durability d : values()) {
            if (d.cliName().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "unknown durability '" + name + "' (expected always, everysec or never)");
    }
}
