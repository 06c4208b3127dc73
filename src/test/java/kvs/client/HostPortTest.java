package kvs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** An address shown in a message (a not_leader's leader) reads back as the same address. */
class HostPortTest {

    @Test
    void aShownAddress_parsesBackToItself_ipv4AndIpv6() {
        for (InetSocketAddress a : new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", 4001),
                new InetSocketAddress("::1", 4002)}) {
            assertThat(HostPort.parse(HostPort.show(a))).isEqualTo(a);
        }
        assertThat(HostPort.show(new InetSocketAddress("::1", 4002))).isEqualTo("[0:0:0:0:0:0:0:1]:4002");
    }

    @Test
    void whatIsNotHostAndPort_isRefused() {
        assertThatThrownBy(() -> HostPort.parse("4001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPort.parse("host:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPort.parse("host:70000")).isInstanceOf(IllegalArgumentException.class);
    }
}
