package kvs.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

class RespWriterTest {

    private static String written(int protocol, Consumer<RespWriter> replies) {
        RespWriter w = new RespWriter(1); // small: every reply makes it grow
        w.protocol(protocol);
        replies.accept(w);
        return new String(w.array(), 0, w.size(), StandardCharsets.UTF_8);
    }

    @Test
    void typesBothVersionsShare() {
        for (int v = 2; v <= 3; v++) {
            assertThat(written(v, w -> w.simple("OK"))).isEqualTo("+OK\r\n");
            assertThat(written(v, w -> w.error("ERR syntax error"))).isEqualTo("-ERR syntax error\r\n");
            assertThat(written(v, w -> w.integer(-42))).isEqualTo(":-42\r\n");
            assertThat(written(v, w -> w.bulk("héllo"))).isEqualTo("$6\r\nhéllo\r\n");
            assertThat(written(v, w -> w.bulk(new byte[0]))).isEqualTo("$0\r\n\r\n");
            assertThat(written(v, w -> w.array(2).bulk("a").integer(1))).isEqualTo("*2\r\n$1\r\na\r\n:1\r\n");
        }
    }

    @Test
    void resp2_fallsBackAsRedisDoes() {
        assertThat(written(2, RespWriter::nullBulk)).isEqualTo("$-1\r\n");
        assertThat(written(2, RespWriter::nullArray)).isEqualTo("*-1\r\n");
        assertThat(written(2, w -> w.map(1).bulk("k").bulk("v"))).isEqualTo("*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assertThat(written(2, w -> w.set(1).bulk("m"))).isEqualTo("*1\r\n$1\r\nm\r\n");
        assertThat(written(2, w -> w.doubleValue("3.5"))).isEqualTo("$3\r\n3.5\r\n");
        assertThat(written(2, w -> w.bool(true).bool(false))).isEqualTo(":1\r\n:0\r\n");
        assertThat(written(2, w -> w.verbatim("a:b"))).isEqualTo("$3\r\na:b\r\n");
    }

    @Test
    void resp3_types() {
        assertThat(written(3, RespWriter::nullBulk)).isEqualTo("_\r\n");
        assertThat(written(3, RespWriter::nullArray)).isEqualTo("_\r\n");
        assertThat(written(3, w -> w.map(1).bulk("k").bulk("v"))).isEqualTo("%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assertThat(written(3, w -> w.set(1).bulk("m"))).isEqualTo("~1\r\n$1\r\nm\r\n");
        assertThat(written(3, w -> w.doubleValue("3.5"))).isEqualTo(",3.5\r\n");
        assertThat(written(3, w -> w.bool(true).bool(false))).isEqualTo("#t\r\n#f\r\n");
        assertThat(written(3, w -> w.verbatim("a:b"))).isEqualTo("=7\r\ntxt:a:b\r\n");
    }

    @Test
    void errorText_cannotBreakTheFraming() {
        assertThat(written(2, w -> w.error("ERR unknown command 'a\r\nb'"))).isEqualTo("-ERR unknown command 'a  b'\r\n");
    }

    @Test
    void clear_startsAgain_andOnlyVersions2And3Exist() {
        RespWriter w = new RespWriter(64);
        w.simple("OK");
        w.clear();
        w.integer(1);
        assertThat(new String(w.array(), 0, w.size(), StandardCharsets.US_ASCII)).isEqualTo(":1\r\n");
        assertThatThrownBy(() -> w.protocol(4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(w.protocol()).isEqualTo(2);
    }
}
