package kvs.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import picocli.CommandLine;

/** Parses {@code IP:PORT}, {@code [IPv6]:PORT} or {@code host:PORT} for --addr. */
public final class Addresses implements CommandLine.ITypeConverter<InetSocketAddress> {

    static final String DEFAULT = "127.0.0.1:4000";

    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw bad(value, "write an IPv6 address in brackets, as [::1]:4000");
        }
        if (host.isEmpty()) {
            throw bad(value, "expected IP:PORT, as 127.0.0.1:4000");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(value, "the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw bad(value, "the port must be 0-65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw bad(value, "unknown host '" + host + "'");
        }
    }

    private static CommandLine.TypeConversionException bad(String value, String why) {
        return new CommandLine.TypeConversionException("bad address '" + value + "': " + why);
    }
}
