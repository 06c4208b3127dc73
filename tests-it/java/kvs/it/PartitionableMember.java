package kvs.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import kvs.cli.ServerMain;
import kvs.cluster.Partition;

/**
 * kvs-server, in a process whose Raft links a test can cut: each line on standard input,
 * {@code isolate ID} or {@code heal}, changes this process's {@link Partition}. A test cuts a
 * member off by telling every member of the group the same (see {@link ClusterGroup#isolate}).
 */
public final class PartitionableMember {

    private PartitionableMember() {
    }

    public static void main(String[] args) {
        Thread.ofPlatform().daemon().name("partition-commands").start(PartitionableMember::readCommands);
        ServerMain.main(args);
    }

    private static void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("isolate ")) {
                    Partition.isolate(line.substring("isolate ".length()));
                } else if (line.equals("heal")) {
                    Partition.heal();
                } else {
                    System.err.println("partition: unknown command '" + line + "'");
                    continue;
                }
                System.err.println("partition: " + line);
            }
        } catch (IOException e) {
            System.err.println("partition: standard input failed: " + e);
        }
    }
}
