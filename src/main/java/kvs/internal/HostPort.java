package kvs.internal;

import java.net.InetSocketAddress;

/** How kvs shows a socket address in logs and messages; not part of kvs's API. */
public final class HostPort {

    private HostPort() {
    }

    /** {@code 127.0.0.1:4000}, {@code [::1]:4000}, or the host name of an unresolved address. */
    public static String show(InetSocketAddress a) {
        String host = a.isUnresolved() ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
