package kvs.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
