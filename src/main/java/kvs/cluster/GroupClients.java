package kvs.cluster;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kvs.KvsException;
import kvs.UnavailableException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis clients of this process's groups, one per group, made when first used: they send an
 * entry to the group's leader wherever it runs (a process that does not lead a shard still
 * changes it: the slot map, a slot's move), following the leader as it changes, and give up
 * after {@link #ATTEMPTS} tries {@link #PAUSE} apart. Groups added to the cluster later are
 * made known with {@link #add}.
 */
final class GroupClients implements AutoCloseable {

    static final int ATTEMPTS = 50;
    static final TimeDuration PAUSE = TimeDuration.valueOf(200, java.util.concurrent.TimeUnit.MILLISECONDS);

    private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, RaftGroup> groups;

    GroupClients(Iterable<RaftGroup> groups) {
        Map<RaftGroupId, RaftGroup> byId = new ConcurrentHashMap<>();
        groups.forEach(g -> byId.put(g.getGroupId(), g));
        this.groups = byId;
    }

    /** Commits {@code entry} to group {@code id}'s log through its leader; the leader's reply (its content, the entry's index). */
    RaftClientReply write(RaftGroupId id, byte[] entry) throws KvsException {
        RaftClient client = clients.computeIfAbsent(id, this::client);
        try {
            RaftClientReply reply = client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)));
            if (!reply.isSuccess()) {
                throw new UnavailableException("group " + id + " refused an entry: " + reply.getException(), reply.getException());
            }
            return reply;
        } catch (IOException e) {
            throw new UnavailableException("group " + id + " cannot take an entry now: " + e.getMessage(), e);
        }
    }

    /** Asks group {@code id}'s leader {@code query}, after a ReadIndex; its answer. */
    java.nio.ByteBuffer read(RaftGroupId id, byte[] query) throws KvsException {
        RaftClient client = clients.computeIfAbsent(id, this::client);
        try {
            RaftClientReply reply = client.io().sendReadOnly(Message.valueOf(UnsafeByteOperations.unsafeWrap(query)));
            if (!reply.isSuccess()) {
                throw new UnavailableException("group " + id + " refused a query: " + reply.getException(), reply.getException());
            }
            return reply.getMessage().getContent().asReadOnlyByteBuffer();
        } catch (IOException e) {
            throw new UnavailableException("group " + id + " cannot answer now: " + e.getMessage(), e);
        }
    }

    /** The leader of group {@code id} as its client last learned it, or null if it has asked it nothing. */
    org.apache.ratis.protocol.RaftPeerId leader(RaftGroupId id) {
        RaftClient client = clients.get(id);
        return client == null ? null : client.getLeaderId();
    }

    /** Makes {@code group} known (a shard added to the cluster); a group known already is kept as it is. */
    void add(RaftGroup group) {
        groups.putIfAbsent(group.getGroupId(), group);
    }

    private RaftClient client(RaftGroupId id) {
        RaftGroup group = groups.get(id);
        if (group == null) {
            throw new IllegalArgumentException("no group " + id + " in this process");
        }
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(ATTEMPTS, PAUSE)).build();
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (RaftClient c : clients.values()) {
            try {
                c.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        clients.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
