package kvs.bench.load;

import java.util.function.Function;

/** What the load generator drives: a kvs-server, or Redis through RESP. */
public enum Target {
    KVS("kvs", 4000, KvsWire::new),
    REDIS("redis", 6379, RespWire::new);

    private final String cliName;
    private final int defaultPort;
    private final Function<String, Wire> wires;

    Target(String cliName, int defaultPort, Function<String, Wire> wires) {
        this.cliName = cliName;
        this.defaultPort = defaultPort;
        this.wires = wires;
    }

    public String cliName() {
        return cliName;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** A wire for one connection whose sets write, and whose gets expect, {@code value}. */
    Wire wire(String value) {
        return wires.apply(value);
    }

    public static Target parse(String name) {
        for (Target t : values()) {
            if (t.cliName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown target '" + name + "': expected kvs or redis");
    }
}
