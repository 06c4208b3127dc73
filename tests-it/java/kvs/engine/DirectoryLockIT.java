package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import kvs.KvsEngine;
import kvs.check.Reliability;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The directory lock across processes: a second process is refused, a killed owner leaves nothing stale. */
class DirectoryLockIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void secondProcess_isRefused_whileThisOneHoldsTheDirectory(String engine) throws Exception {
        try (KvsEngine e = open(engine)) {
            e.set("k", "v");
            Process child = probe(engine);
            try (BufferedReader out = reader(child)) {
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).isEqualTo(3);
                assertThat(out.readLine()).startsWith("error: ").contains("locked");
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void killedOwner_leavesNoStaleLock(String engine) throws Exception {
        Process child = probe(engine);
        try (BufferedReader out = reader(child)) {
            assertThat(out.readLine()).isEqualTo("open");
            assertThatThrownBy(() -> open(engine)).isInstanceOf(kvs.KvsException.class)
                    .hasMessageContaining("locked");
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        try (KvsEngine e = open(engine)) {
            e.set("after", "kill");
            assertThat(e.get("after")).hasValue("kill");
        }
    }

    /** Two processes open a fresh directory at once, again and again: exactly one wins every time. */
    @ParameterizedTest
    @ValueSource(strings = {"kvs", "mvstore"})
    void twoProcessesRacing_exactlyOneWins(String engine) throws Exception {
        int rounds = Reliability.rounds(5);
        for (int round = 0; round < rounds; round++) {
            Path fresh = dir.resolve("race-" + round);
            Process a = probe(engine, fresh);
            Process b = probe(engine, fresh);
            try (BufferedReader outA = reader(a); BufferedReader outB = reader(b)) {
                String first = outA.readLine();
                String second = outB.readLine();
                assertThat(List.of(first, second)).as("round %d", round).containsOnlyOnce("open")
                        .anySatisfy(line -> assertThat(line).startsWith("error: ").contains("locked"));
            } finally {
                a.getOutputStream().close(); // the winner closes the engine and exits
                b.getOutputStream().close();
                assertThat(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    private KvsEngine open(String engine) throws kvs.KvsException {
        return engine.equals("kvs") ? KvStore.open(dir) : MvStoreEngine.open(dir);
    }

    private Process probe(String engine) throws Exception {
        return probe(engine, dir);
    }

    private Process probe(String engine, Path directory) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OpenProbe.class.getName(), directory.toString(), engine)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }
}
