package kvs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import kvs.KvsException;
import kvs.MovedException;
import kvs.client.Client;
import kvs.client.GroupClient;
import kvs.client.HostPort;
import kvs.client.KvsClient;
import kvs.store.Bytes;

/**
 * How a kvs-client command runs, the seam between one-shot and interactive: what it gets from its
 * mode is a connection to the server, and standard input. A one-shot command has a connection of
 * its own ({@link OneShot}); the commands of an interactive session share the session's, kept from
 * line to line ({@link ClientSession}).
 */
interface ClientMode {

    /** A command's work on a connection; returns its exit code. */
    @FunctionalInterface
    interface OnClient {
        int run(Client client) throws KvsException;
    }

    /** The servers to connect to and how: --addr and the connection options. */
    Target target();

    /**
     * Runs {@code command} on the connection.
     *
     * @throws KvsException if there is no connection, or as the command throws
     */
    int run(OnClient command) throws KvsException;

    /**
     * The bytes of standard input, for {@code set KEY -}.
     *
     * @throws KvsException if they cannot be read, or standard input is not the command's to read
     */
    Bytes standardInput() throws KvsException;

    /** The members given with --addr (one server, or a replicated group's members) and the options to connect with. */
    record Target(List<InetSocketAddress> addresses, KvsClient.Options options) {
        public Target {
            addresses = List.copyOf(addresses);
            Objects.requireNonNull(options, "options");
        }

        /** A client of the server, connected; or of the group, which connects at its first request. */
        Client connect() throws KvsException {
            return addresses.size() == 1 ? KvsClient.connect(addresses.get(0), options) : GroupClient.of(addresses, options);
        }

        /** The addresses as --addr takes them. */
        String show() {
            return addresses.stream().map(HostPort::show).collect(Collectors.joining(","));
        }
    }

    /**
     * A one-shot command's: a connection for that command alone, and the process's standard input.
     * Given one server of a sharded cluster, it runs the command again where a {@code moved} answer
     * sends it (nothing was done where it was moved from), up to {@value #MOST_MOVES} times.
     */
    record OneShot(Target target, InputStream in) implements ClientMode {
        /** The most redirections a command follows (a slot served elsewhere; its shard's leader changing meanwhile). */
        static final int MOST_MOVES = 3;

        @Override
        public int run(OnClient command) throws KvsException {
            Target to = target;
            for (int moves = 0; ; moves++) {
                try (Client client = to.connect()) {
                    return command.run(client);
                } catch (MovedException e) {
                    InetSocketAddress owner = HostPort.parse(e.address());
                    if (moves == MOST_MOVES || to.addresses().size() > 1) {
                        throw e; // a group's client follows on its own
                    }
                    to = new Target(List.of(owner), to.options());
                }
            }
        }

        @Override
        public Bytes standardInput() throws KvsException {
            try {
                return Bytes.wrap(in.readAllBytes());
            } catch (IOException e) {
                throw new KvsException("cannot read the value from standard input: " + e.getMessage(), e);
            }
        }
    }
}
