package kvs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Programs a test runs to their end (bin/'s launchers), their output in files, which keep every byte of it. */
public final class Programs {

    /** What a program left: its exit code, its standard output and its standard error, as UTF-8 text. */
    public record Result(int exit, String out, String err) {
    }

    private Programs() {
    }

    /** Runs {@code builder}'s command, its output and errors going to files in {@code dir}; 60 s at most. */
    public static Result run(ProcessBuilder builder, Path dir) throws IOException, InterruptedException {
        String name = Path.of(builder.command().get(0)).getFileName().toString();
        Path out = Files.createTempFile(dir, name + "-", ".out");
        Path err = Files.createTempFile(dir, name + "-", ".err");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not finish in 60 s: " + builder.command());
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
