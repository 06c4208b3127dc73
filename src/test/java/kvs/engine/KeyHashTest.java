package kvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class KeyHashTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void of_dependsOnTheKeysBytesOnly_andOnEveryOne() {
        byte[] framed = bytes("__user:1234__");
        byte[] alone = bytes("user:1234");
        assertThat(KeyHash.of(framed, 2, alone.length)).isEqualTo(KeyHash.of(alone, 0, alone.length));
        Set<Integer> oneByteOff = new HashSet<>();
        for (int i = 0; i < alone.length; i++) {
            byte[] changed = alone.clone();
            changed[i] ^= 1;
            oneByteOff.add(KeyHash.of(changed, 0, changed.length));
        }
        assertThat(oneByteOff).hasSize(alone.length).doesNotContain(KeyHash.of(alone, 0, alone.length));
        assertThat(KeyHash.of(new byte[0], 0, 0)).isNotZero();
    }

    @Test
    void of_separatesKeysThatStringsHashAlike() {
        // "Aa" and "BB" share String.hashCode, and so does every string made of them: a client
        // could fill one probe run of a table hashed that way.
        Set<Integer> local = new HashSet<>();
        Set<Integer> index = new HashSet<>();
        for (int i = 0; i < 1 << 10; i++) {
            StringBuilder key = new StringBuilder();
            for (int bit = 0; bit < 10; bit++) {
                key.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            byte[] b = bytes(key.toString());
            local.add(KeyHash.local(b, 0, b.length));
            index.add(KeyHash.of(b, 0, b.length));
        }
        assertThat(local).hasSize(1);
        assertThat(index).hasSizeGreaterThan(1000); // 1024 keys; a chance collision or two at most
    }

    @Test
    void local_isStringsHashForAnAsciiKey() {
        byte[] b = bytes("key:000000012345");
        assertThat(KeyHash.local(b, 0, b.length)).isEqualTo("key:000000012345".hashCode());
    }
}
