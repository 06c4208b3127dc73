package kvs.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a password comes from, how it is checked, and who the access rules let in. */
class PasswordTest {

    @TempDir
    Path dir;

    @Test
    void fromFile_takesTheFirstLine_withoutItsLineEnd() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "s3cret pass\r\nsecond\n", StandardCharsets.UTF_8);
        Password p = Password.fromFile(file);
        assertThat(p.matches("s3cret pass")).isTrue();
        assertThat(p.matches("s3cret pass\r")).isFalse();
        assertThat(p.matches("s3cret")).isFalse();
        assertThat(p.matches("")).isFalse();
        assertThat(p.toString()).doesNotContain("s3cret");
        Files.writeString(file, "no newline", StandardCharsets.UTF_8);
        assertThat(Password.fromFile(file).matches("no newline")).isTrue();
    }

    @Test
    void anEmptyOrOverlongFirstLine_isRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\nx\n");
        assertThatThrownBy(() -> Password.fromFile(empty)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        Path overlong = Files.writeString(dir.resolve("long"), "x".repeat(5000));
        assertThatThrownBy(() -> Password.fromFile(overlong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than 4096");
    }

    @Test
    void theFileWins_thenTheEnvironment_elseNone() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "from-file");
        assertThat(Password.fromFileOrEnvironment(file, Map.of(Password.ENV, "from-env")).matches("from-file")).isTrue();
        assertThat(Password.fromFileOrEnvironment(null, Map.of(Password.ENV, "from-env")).matches("from-env")).isTrue();
        assertThat(Password.fromFileOrEnvironment(null, Map.of())).isNull();
        assertThatThrownBy(() -> Password.fromFileOrEnvironment(null, Map.of(Password.ENV, "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Password.ENV);
    }

    @Test
    void access_protectedModeWithoutAPassword_admitsLocalPeersOnly() throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 1}); // only compared, never contacted
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Access defaults = Access.defaults();
        assertThat(defaults.admits(loopback)).isTrue();
        assertThat(defaults.admits(remote)).isFalse();
        assertThat(defaults.withProtectedMode(false).admits(remote)).isTrue();
        assertThat(defaults.withPassword(Password.of("x")).admits(remote)).isTrue();
        assertThat(defaults.withLocalPeers(a -> false).admits(loopback)).isFalse();
    }

    @Test
    void guard_opensOnTheRightPassword_andCountsTheWrongOnes() {
        Access access = Access.defaults().withPassword(Password.of("right"));
        Guard guard = access.guard("test");
        assertThat(guard.open()).isFalse();
        assertThat(guard.authenticate("wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(guard.open()).isFalse();
        assertThat(guard.authenticate("right".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(guard.open()).isTrue();
        assertThat(guard.authenticate("wrong again".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(guard.open()).as("a wrong password later leaves it open, as in Redis").isTrue();
        assertThat(access.failures()).isEqualTo(2);
        assertThat(Access.defaults().guard("test").open()).as("no password: open from the start").isTrue();
    }
}
