package kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example, as a reader would copy it: compiled against the library on
 * this JVM's class path and run in a directory of its own, it prints what its comments say.
 */
class ReadmeExampleIT {

    private static final Path README =
            Path.of(System.getProperty("kvs.home", "."), "README.md").toAbsolutePath();
    private static final Pattern EXAMPLE = Pattern.compile(
            "<!-- embedding-example -->\\s*```java\\n(.*?)```\\s*<!-- /embedding-example -->", Pattern.DOTALL);
    /** A line that prints, and the comment that says what it prints. */
    private static final Pattern PRINTS = Pattern.compile("System\\.out\\.println\\(.*\\);\\s*// (.*)");
    private static final Pattern DEPENDENCY_VERSION = Pattern.compile(
            "<artifactId>kvs</artifactId>\\s*<version>([^<]+)</version>");

    @TempDir
    Path dir;

    @Test
    void embeddingExample_compilesRuns_andPrintsWhatItsCommentsSay() throws Exception {
        String example = example();
        List<String> expected = new ArrayList<>();
        for (String line : example.lines().toList()) {
            Matcher m = PRINTS.matcher(line);
            if (m.find()) {
                expected.add(m.group(1).strip());
            }
        }
        assertThat(expected).as("the example's printed lines and their comments").isNotEmpty();

        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = dir.resolve("ReadmeExample.java");
        Files.writeString(source, program(example));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-Xlint:all", "-Werror", "-cp", System.getProperty("java.class.path"),
                        "-d", classes.toString()),
                null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                        .getJavaFileObjects(source)).call();
        assertThat(compiled).as("javac: %s", diagnostics).isTrue();

        Path work = Files.createDirectories(dir.resolve("work"));
        Path out = dir.resolve("out.txt");
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), "ReadmeExample")
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the example ends").isTrue();
        String printed = Files.readString(out);
        assertThat(run.exitValue()).as("exit status; output:%n%s", printed).isZero();
        // slf4j-simple logs to stderr, merged in: keep only the lines the example printed.
        List<String> lines = printed.lines().filter(l -> l.startsWith("Optional")).toList();
        assertThat(lines).isEqualTo(expected);
        assertThat(work.resolve("data")).as("the store's directory, relative to the working one").isDirectory();
    }

    @Test
    void dependencySnippet_namesThePomsVersion() throws IOException {
        Matcher m = DEPENDENCY_VERSION.matcher(Files.readString(README));
        assertThat(m.find()).as("README's Maven dependency snippet").isTrue();
        assertThat(m.group(1)).isEqualTo(System.getProperty("kvs.version"));
    }

    /** The README block between its markers. */
    private static String example() throws IOException {
        Matcher m = EXAMPLE.matcher(Files.readString(README));
        assertThat(m.find()).as("README's embedding example between its markers").isTrue();
        return m.group(1);
    }

    /** The block as a program: its imports first, its statements in a main method. */
    private static String program(String example) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : example.lines().toList()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + "\npublic class ReadmeExample {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + body
                + "    }\n}\n";
    }
}
