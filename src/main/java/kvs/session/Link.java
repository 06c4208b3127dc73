package kvs.session;

import java.io.OutputStream;
import java.net.SocketAddress;

import kvs.command.Dispatcher;
import kvs.security.Guard;

/**
 * What a connection gives its session: the socket's output (each write under the server's
 * timeout), the command layer, the maximum frame, the client's id and address, the listener's
 * address, the server's figures, the connection's gate (authentication) and its share of the
 * server's memory budget. Not API.
 */
public record Link(OutputStream out, Dispatcher dispatcher, int maxFrame, long clientId, SocketAddress peer,
                   SocketAddress local, ServerStats stats, Guard guard, MemoryRoom room) {
}
