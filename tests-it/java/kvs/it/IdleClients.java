package kvs.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate process that opens N connections to a server and holds them, idle, until its
 * standard input closes: {@code IdleClients HOST PORT N}. Prints {@code connected N} once all
 * are open, or {@code failed: ...} and exits 1.
 */
public final class IdleClients {

    private IdleClients() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        List<Socket> sockets = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(server, 30_000);
                sockets.add(s);
            }
        } catch (IOException e) {
            System.out.println("failed: after " + sockets.size() + " connections: " + e);
            System.exit(1);
        }
        System.out.println("connected " + sockets.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the parent closes our input
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
