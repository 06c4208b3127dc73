package kvs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** What the suite mains share: JMH run from code, its results and tables under bench/results/. */
final class Suites {

    /** Where results go: {@code -Dkvs.bench.out=DIR}, by default bench/results (run from the checkout). */
    static final Path OUT = Path.of(System.getProperty("kvs.bench.out", "bench/results"));

    private Suites() {
    }

    /** Options from JMH's own command line ({@code -f}, {@code -wi}, {@code -p}...), to add to. */
    static ChainedOptionsBuilder options(String[] args, Class<?> benchmark, String resultName)
            throws CommandLineOptionException {
        return new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(benchmark.getName() + ".")
                .resultFormat(ResultFormatType.JSON)
                .result(OUT.resolve(resultName + ".json").toString());
    }

    static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException, IOException {
        Files.createDirectories(OUT);
        return new Runner(options.build()).run();
    }

    static String param(RunResult r, String name) {
        return r.getParams().getParam(name);
    }

    /** The benchmark method's name, e.g. {@code writeHeavy}. */
    static String method(RunResult r) {
        String b = r.getParams().getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    static void write(String name, String text) throws IOException {
        Files.writeString(OUT.resolve(name), text, StandardCharsets.UTF_8);
        System.out.print(text);
    }
}
