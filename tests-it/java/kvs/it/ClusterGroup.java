package kvs.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kvs.check.Ports;
import kvs.client.HostPort;

/**
 * Three kvs-server processes started as one replicated group on loopback, each with its own data
 * directory and free ports; the test that makes one stops it ({@link #close}) by its handles.
 */
final class ClusterGroup implements AutoCloseable {

    final String[] kvs = new String[3];
    /** Each member's RESP address, in a sharded cluster; null otherwise. */
    final String[] resp = new String[3];
    final ServerProcess[] members = new ServerProcess[3];
    private final List<String> peers = new ArrayList<>();
    private final Path dir;
    private final Path logs;
    private final String engine;
    private final boolean partitionable;
    private final List<String> moreArgs;
    /** Processes that joined the cluster ({@link #join}), stopped with it. */
    private final List<ServerProcess> joined = new ArrayList<>();
    /** The member cut off from the others, or null. */
    private String isolated;

    /** Starts the three members with {@code engine} and waits until each listens (a leader comes later). */
    ClusterGroup(Path dir, Path logs, String engine) throws IOException {
        this(dir, logs, engine, false);
    }

    /**
     * Starts the three members, through bin/kvs-server, or, when {@code partitionable}, as
     * {@link PartitionableMember}s whose Raft links {@link #isolate} can cut; each with
     * {@code moreArgs} too.
     */
    ClusterGroup(Path dir, Path logs, String engine, boolean partitionable, String... moreArgs) throws IOException {
        this(dir, logs, engine, partitionable, 1, moreArgs);
    }

    /** Three processes of a sharded cluster of {@code shards} shards (docs/CLUSTER.md), each with its RESP address. */
    static ClusterGroup sharded(Path dir, Path logs, String engine, int shards) throws IOException {
        return sharded(dir, logs, engine, shards, false);
    }

    /** {@link #sharded(Path, Path, String, int)}, the processes {@code partitionable} ({@link #isolate}). */
    static ClusterGroup sharded(Path dir, Path logs, String engine, int shards, boolean partitionable) throws IOException {
        return new ClusterGroup(dir, logs, engine, partitionable, shards);
    }

    private ClusterGroup(Path dir, Path logs, String engine, boolean partitionable, int shards, String... moreArgs)
            throws IOException {
        this.dir = dir;
        this.logs = logs;
        this.engine = engine;
        this.partitionable = partitionable;
        List<String> more = new ArrayList<>(List.of(moreArgs));
        if (shards > 1) {
            more.addAll(List.of("--shards", Integer.toString(shards)));
        }
        this.moreArgs = List.copyOf(more);
        for (int i = 0; i < 3; i++) {
            kvs[i] = freeAddress();
            resp[i] = shards > 1 ? freeAddress() : null;
            peers.add("n" + (i + 1) + "=" + kvs[i] + "," + freeAddress() + (resp[i] == null ? "" : "," + resp[i]));
        }
        try {
            for (int i = 0; i < 3; i++) {
                members[i] = launch(i);
            }
            for (ServerProcess m : members) {
                m.awaitReady();
            }
        } catch (IOException | RuntimeException e) { // the caller gets no group to close: stop what started
            close();
            throw e;
        }
    }

    private static String freeAddress() throws IOException {
        return "127.0.0.1:" + Ports.free();
    }

    /** Starts member {@code i} (again, after a kill) on its data directory. */
    ServerProcess launch(int i) throws IOException {
        List<String> args = new ArrayList<>(List.of("--node-id", "n" + (i + 1), "--election-timeout-ms", "1000",
                "--engine", engine));
        for (String p : peers) {
            args.addAll(List.of("--peer", p));
        }
        args.addAll(moreArgs);
        Path data = Files.createDirectories(dir.resolve("n" + (i + 1)));
        if (!partitionable) {
            return ServerProcess.launch(data, logs, args.toArray(String[]::new));
        }
        ServerProcess member = ServerProcess.launchMain(PartitionableMember.class, data, logs, args.toArray(String[]::new));
        if (isolated != null) {
            member.tell("isolate " + isolated);
        }
        return member;
    }

    /** A process that joined a sharded cluster: its handle and its member spec ({@code ID=KVS,RAFT,RESP}). */
    record Joined(ServerProcess process, String id, String kvs, String resp, String spec) {
    }

    /**
     * Starts process {@code id} that joins this sharded cluster ({@code --join}), with free addresses,
     * and waits until it listens; it is stopped with the cluster.
     */
    Joined join(String id) throws IOException {
        String kvsAddress = freeAddress();
        String respAddress = freeAddress();
        String spec = id + "=" + kvsAddress + "," + freeAddress() + "," + respAddress;
        List<String> args = new ArrayList<>(List.of("--node-id", id, "--election-timeout-ms", "1000", "--engine", engine));
        for (String p : peers) {
            args.addAll(List.of("--peer", p));
        }
        args.addAll(List.of("--peer", spec, "--join"));
        args.addAll(moreArgs);
        ServerProcess process = ServerProcess.launch(Files.createDirectories(dir.resolve(id)), logs, args.toArray(String[]::new));
        joined.add(process);
        process.awaitReady();
        return new Joined(process, id, kvsAddress, respAddress, spec);
    }

    /** Cuts member {@code i}'s Raft links to the others (its clients still reach it), until {@link #heal}. */
    void isolate(int i) throws IOException {
        isolated = "n" + (i + 1);
        tellAll("isolate " + isolated);
    }

    /** Joins every member again. */
    void heal() throws IOException {
        isolated = null;
        tellAll("heal");
    }

    private void tellAll(String command) throws IOException {
        if (!partitionable) {
            throw new IllegalStateException("this group's members were not started partitionable");
        }
        for (ServerProcess m : members) {
            if (m != null && m.process.isAlive()) {
                m.tell(command);
            }
        }
    }

    /** Restarts member {@code i} and waits until it listens. */
    void restart(int i) throws IOException {
        members[i] = launch(i).awaitReady();
    }

    static InetSocketAddress address(String hostPort) {
        return HostPort.parse(hostPort);
    }

    /** Every member's kvs address. */
    List<InetSocketAddress> addresses() {
        return List.of(address(kvs[0]), address(kvs[1]), address(kvs[2]));
    }

    @Override
    public void close() {
        for (ServerProcess m : members) {
            if (m != null) {
                m.close();
            }
        }
        for (ServerProcess m : joined) {
            m.close();
        }
    }
}
