package kvs.check;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers a test starts later, one after another (a replicated group's
 * members). A port {@code new ServerSocket(0)} found free comes from the kernel's ephemeral range,
 * where a member already started may take it as the local port of a connection to its peers
 * before the member it was meant for binds it ("Failed to start Grpc server"). These come from
 * below that range, which the kernel never hands out by itself, and each once per JVM.
 */
public final class Ports {

    private static final int LOWEST = 10_000;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /**
     * A loopback port below the ephemeral range that nothing listened on when it was chosen.
     *
     * @throws IOException if none is found in a thousand tries
     */
    public static int free() throws IOException {
        int high = ephemeralLow();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException e) {
                // in use: try another
            }
        }
        throw new IOException("no free loopback port between " + LOWEST + " and " + high);
    }

    /** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
