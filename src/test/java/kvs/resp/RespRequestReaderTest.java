package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RespRequestReaderTest {

    private final RespRequestReader reader = new RespRequestReader(1000);
    private final List<byte[]> args = new ArrayList<>();

    private int read(String request) throws RespProtocolException {
        byte[] b = request.getBytes(StandardCharsets.ISO_8859_1);
        return reader.read(b, 0, b.length, args);
    }

    private List<String> args() {
        return args.stream().map(a -> new String(a, StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void multibulk_readsTheArguments_andTakesOnlyItsOwnBytes() throws Exception {
        String get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assertThat(read(get + "*1\r\n$4\r\nPING\r\n")).isEqualTo(get.length());
        assertThat(args()).containsExactly("GET", "k");
    }

    @Test
    void multibulk_bulksMayHoldAnyByte() throws Exception {
        String set = "*3\r\n$3\r\nSET\r\n$3\r\na\r\n\r\n$2\r\n\0\377\r\n";
        assertThat(read(set)).isEqualTo(set.length());
        assertThat(args()).containsExactly("SET", "a\r\n", "\0\377");
    }

    @Test
    void multibulk_notAllThere_needsMore() throws Exception {
        String get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        for (int cut = 1; cut < get.length(); cut++) {
            assertThat(read(get.substring(0, cut))).as("cut at %d", cut).isZero();
            assertThat(args).isEmpty();
            assertThat(reader.needed()).isGreaterThan(cut);
        }
    }

    @Test
    void declaredBulk_isNeededWhole_beforeAnythingIsCopied() throws Exception {
        assertThat(read("*2\r\n$3\r\nSET\r\n$1000\r\nabc")).isZero();
        assertThat(reader.needed()).isEqualTo("*2\r\n$3\r\nSET\r\n$1000\r\n".length() + 1000 + 2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "*0\\r\\n", "*-1\\r\\n", "*-5\\r\\n"})
    void emptyMultibulk_isNoCommand(String request) throws Exception {
        String r = request.replace("\\r\\n", "\r\n");
        assertThat(read(r)).isEqualTo(r.length());
        assertThat(args).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "*abc|invalid multibulk length",
            "*|invalid multibulk length",
            "*01|invalid multibulk length",
            "*1048577|invalid multibulk length",
            "*1\\r\\n$abc|invalid bulk length",
            "*1\\r\\n$-1|invalid bulk length",
            "*1\\r\\n$1001|invalid bulk length",
            "*1\\r\\n$01|invalid bulk length",
            "*1\\r\\nx3|expected '$', got 'x'",
            "*2\\r\\n$1\\r\\na\\r\\n:1|expected '$', got ':'"})
    void badFraming_isRedisProtocolError(String head, String message) {
        String r = head.replace("\\r\\n", "\r\n") + "\r\n";
        assertThatThrownBy(() -> read(r)).isInstanceOf(RespProtocolException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((RespProtocolException) e).reply()).isEqualTo("-ERR Protocol error: " + message));
    }

    @Test
    void largestMultibulkCount_isAccepted_andWaitsForItsArguments() throws Exception {
        assertThat(read("*1048576\r\n")).isZero();
    }

    @Test
    void countLineWithoutCR_isAnErrorPast64KiB() throws Exception {
        assertThat(read("*" + "1".repeat(RespRequestReader.INLINE_MAX - 1))).isZero();
        assertThatThrownBy(() -> read("*" + "1".repeat(RespRequestReader.INLINE_MAX)))
                .hasMessage("too big mbulk count string");
        assertThatThrownBy(() -> read("*1\r\n$" + "1".repeat(RespRequestReader.INLINE_MAX)))
                .hasMessage("too big bulk count string");
    }

    @Test
    void crWithoutTheByteAfterIt_waits() throws Exception {
        assertThat(read("*1\r")).isZero();
        assertThat(read("*1\r\n$4\r")).isZero();
    }

    @Test
    void inline_splitsOnBlanks() throws Exception {
        assertThat(read("set  k\tv\r\nPING\r\n")).isEqualTo("set  k\tv\r\n".length());
        assertThat(args()).containsExactly("set", "k", "v");
        assertThat(read("PING\n")).isEqualTo(5);
        assertThat(args()).containsExactly("PING");
    }

    @Test
    void inline_quotes() throws Exception {
        read("set \"a b\" 'c\\'d' \"\\x41\\n\\t\\\"\" \"\"\r\n");
        assertThat(args()).containsExactly("set", "a b", "c'd", "A\n\t\"", "");
        read("x\"y z\" w\n"); // a quote may open inside an argument; it must close at its end
        assertThat(args()).containsExactly("xy z", "w");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"set \"abc", "set 'abc", "set \"a\"b", "set 'a'b"})
    void inline_unbalancedQuotes_isAnError(String line) {
        assertThatThrownBy(() -> read(line + "\r\n")).hasMessage("unbalanced quotes in request");
        assertThat(args).isEmpty();
    }

    @Test
    void inline_blankLine_isNoCommand() throws Exception {
        assertThat(read("\r\n")).isEqualTo(2);
        assertThat(args).isEmpty();
        assertThat(read("   \n")).isEqualTo(4);
        assertThat(args).isEmpty();
    }

    @Test
    void inline_withoutNewline_waits_thenIsAnErrorPast64KiB() throws Exception {
        assertThat(read("PING")).isZero();
        assertThat(read("x".repeat(RespRequestReader.INLINE_MAX))).isZero();
        assertThatThrownBy(() -> read("x".repeat(RespRequestReader.INLINE_MAX + 1))).hasMessage("too big inline request");
    }

    @Test
    void parseLong_isRedisString2ll() {
        assertThat(parse("0")).isZero();
        assertThat(parse("123")).isEqualTo(123);
        assertThat(parse("-7")).isEqualTo(-7);
        assertThat(parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        for (String bad : new String[] {"", "-", "-0", "007", "+1", " 1", "1 ", "1a", "9223372036854775808"}) {
            assertThat(parse(bad)).as("'%s'", bad).isEqualTo(Long.MIN_VALUE);
        }
    }

    private static long parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return RespRequestReader.parseLong(b, 0, b.length);
    }
}
