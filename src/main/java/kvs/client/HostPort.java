package kvs.client;

import java.net.InetSocketAddress;

/** How kvs shows a socket address in logs and messages, and reads one back; not part of kvs's API. */
public final class HostPort {

    private HostPort() {
    }

    /**
     * An address as a person and {@link #parse} read it.
     *
     * @param a the address
     * @return {@code 127.0.0.1:4000}, {@code [::1]:4000}, or the host name of an unresolved address
     */
    public static String show(InetSocketAddress a) {
        String host = a.isUnresolved() ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * The address {@link #show} shows: {@code HOST:PORT}, or {@code [IPv6]:PORT}.
     *
     * @param hostPort the text to read
     * @return the address, unresolved if its host is a name
     * @throws IllegalArgumentException if {@code hostPort} is not one, or its port is out of range
     */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not HOST:PORT: " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
