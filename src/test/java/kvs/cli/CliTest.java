package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.Callable;

import kvs.KvsException;
import kvs.UnknownOutcomeException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The exit codes both programs share (README.md, "kvs-server options"): 1 for a failure, 2 for usage,
 * 3 for a write whose outcome is unknown.
 */
class CliTest {

    @Command(name = "fails")
    static final class Fails implements Callable<Integer> {
        @Parameters(index = "0")
        String how;

        @Override
        public Integer call() throws KvsException {
            throw how.equals("unknown") ? new UnknownOutcomeException("the write's outcome is unknown", null)
                    : new KvsException("it failed");
        }
    }

    @Test
    void aWriteWhoseOutcomeIsUnknown_exitsThree_otherFailuresOne_usageErrorsTwo() {
        assertThat(Cli.run(new Fails(), new String[] {"unknown"})).isEqualTo(3);
        assertThat(Cli.run(new Fails(), new String[] {"other"})).isEqualTo(1);
        assertThat(Cli.run(new Fails(), new String[] {})).isEqualTo(2);
    }

    /** Each bad time to live is a usage error, found before any connection (nothing listens on the address). */
    @Test
    void badTimesToLive_areUsageErrors() {
        String[][] cases = {
            {"set", "k", "v", "--ttl", "5x"}, {"set", "k", "v", "--ttl", "0s"}, {"set", "k", "v", "--ttl", "1.5s"},
            {"set", "k", "v", "--ttl"}, {"set", "k", "v", "--ttl", "9999999999999h"}, {"expire", "k", "soon"},
            {"expire", "k"}, {"expire", "k", "-1s"}, {"ttl"}, {"ttl", "a", "b"}, {"persist"}, {"persist", "a", "b"},
        };
        for (String[] args : cases) {
            String[] withAddr = Arrays.copyOf(args, args.length + 2);
            withAddr[args.length] = "--addr";
            withAddr[args.length + 1] = "127.0.0.1:1";
            assertThat(Cli.run(new ClientMain(), withAddr)).as("exit of %s", String.join(" ", args)).isEqualTo(2);
        }
    }
}
