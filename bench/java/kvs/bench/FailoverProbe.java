package kvs.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import kvs.KvsException;
import kvs.client.GroupClient;
import kvs.client.HostPort;
import kvs.client.KvsClient;

/**
 * A replicated group's failover time (issue 16's target: under 3 s at the default timeouts): one
 * client writes in a loop through {@link GroupClient}; the leader is killed with SIGKILL; the time
 * from the kill to the first write the new leader acknowledges is printed, in milliseconds.
 * {@code bench/failover.sh} starts the groups. Run by hand:
 * <pre>
 * java -cp target/benchmarks.jar kvs.bench.FailoverProbe HOST:PORT=PID HOST:PORT=PID HOST:PORT=PID
 * </pre>
 * (each member's kvs address and its process id).
 */
public final class FailoverProbe {

    private FailoverProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<InetSocketAddress> members = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            members.add(HostPort.parse(a.substring(0, eq)));
            pids.add(Long.parseLong(a.substring(eq + 1)));
        }
        try (GroupClient client = GroupClient.of(members, KvsClient.Options.defaults())) {
            for (int i = 0; i < 500; i++) {
                client.set("failover-" + (i % 100), "warm-" + i);
            }
            int leader = leader(members);
            ProcessHandle victim = ProcessHandle.of(pids.get(leader))
                    .orElseThrow(() -> new IllegalStateException("no process " + pids.get(leader)));
            long killed = System.nanoTime();
            victim.destroyForcibly();
            for (int i = 0; ; i++) {
                try {
                    client.set("failover", "after-" + i);
                    break;
                } catch (KvsException e) {
                    // the client gave up after 10 s: try again, the clock still runs from the kill
                }
            }
            long millis = (System.nanoTime() - killed) / 1_000_000;
            System.out.printf(Locale.ROOT, "leader %s killed; the first write after it acknowledged in %d ms%n",
                    HostPort.show(members.get(leader)), millis);
        }
    }

    /** The index of the member whose stats say it leads. */
    private static int leader(List<InetSocketAddress> members) throws KvsException {
        for (int i = 0; i < members.size(); i++) {
            try (KvsClient c = KvsClient.connect(members.get(i))) {
                if ("leader".equals(c.stats().get("cluster_role"))) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no member says it leads");
    }
}
