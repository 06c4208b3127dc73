package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import kvs.KvsEngine;
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

    private KvsEngine open(String engine) throws kvs.KvsException {
        return engine.equals("kvs") ? KvStore.open(dir) : MvStoreEngine.open(dir);
    }

    private Process probe(String engine) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OpenProbe.class.getName(), dir.toString(), engine)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }
}
