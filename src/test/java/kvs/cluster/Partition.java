package kvs.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * A network partition between the members of a group that run in this JVM, cut through Ratis's
 * own test injection points (what Ratis's tests isolate a member with): a Raft request between
 * an isolated member and one that is not is held, by the sender before it goes out and by the
 * receiver before it is handled, until the partition heals. Requests then go on, as a network
 * delivers what it held once a link is back. Clients' connections to the members' kvs listeners
 * are not touched: an isolated member still answers them, which is what a partition test asks of it.
 * The members of a group of processes each hold their own partition (see {@code PartitionableMember}).
 */
public final class Partition {

    /** Where a member receives a Raft request from {@code remoteId} (RaftServerImpl's injection points). */
    private static final List<String> RECEIVED = List.of("RaftServerImpl.appendEntries", "RaftServerImpl.requestVote",
            "RaftServerImpl.installSnapshot", "RaftServerImpl.startLeaderElection");
    /** Where a member sends a Raft request over gRPC, the request's proto its argument. */
    private static final String SENT = "GrpcServicesImpl.sendRequest";

    private static final Set<String> ISOLATED = ConcurrentHashMap.newKeySet();

    static {
        for (String point : RECEIVED) {
            CodeInjectionForTesting.put(point, (local, remote, args) -> hold(local, remote));
        }
        CodeInjectionForTesting.put(SENT, (local, remote, args) -> hold(local, args.length == 0 ? null : target(args[0])));
    }

    private Partition() {
    }

    /** Cuts member {@code id} off from every member not isolated with it. */
    public static void isolate(String id) {
        ISOLATED.add(id);
    }

    /** Joins every member again. */
    public static void heal() {
        ISOLATED.clear();
    }

    /** Whether a request between {@code a} and {@code b} crosses the partition. */
    static boolean cut(Object a, Object b) {
        return a != null && b != null && ISOLATED.contains(a.toString()) != ISOLATED.contains(b.toString());
    }

    private static boolean hold(Object local, Object remote) {
        if (!cut(local, remote)) {
            return false;
        }
        boolean interrupted = false;
        while (cut(local, remote)) { // held until healed, even when interrupted: a cut link does not give way
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** The member a request goes to, or null for requests that are not between members. */
    private static String target(Object proto) {
        RaftRpcRequestProto r = proto instanceof AppendEntriesRequestProto a ? a.getServerRequest()
                : proto instanceof RequestVoteRequestProto v ? v.getServerRequest()
                : proto instanceof ReadIndexRequestProto i ? i.getServerRequest()
                : proto instanceof StartLeaderElectionRequestProto s ? s.getServerRequest()
                : null;
        return r == null ? null : r.getReplyId().toStringUtf8();
    }
}
