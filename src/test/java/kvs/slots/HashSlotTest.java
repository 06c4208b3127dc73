package kvs.slots;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import kvs.store.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Redis Cluster's key hash slots (its cluster specification's "Key distribution model"), byte for byte. */
class HashSlotTest {

    @Test
    void theChecksum_isCrc16Xmodem() {
        Bytes check = Bytes.utf8("123456789");
        assertThat(HashSlot.crc16(check, 0, check.length())).isEqualTo(0x31C3); // XMODEM's check value
    }

    @ParameterizedTest
    @CsvSource({
        "foo, 12182", "bar, 5061", "hello, 866", "somekey, 11058",
        "{user1000}.following, 3443", "{user1000}.followers, 3443",
        "foo{}{bar}, 8363",      // an empty {} is no tag: the whole key
        "foo{{bar}}zap, 4015",   // the tag is '{bar', from the first '{' to the first '}' after it
        "foo{bar}{zap}, 5061",   // the first tag only: 'bar'
        "'', 0",
    })
    void keys_fallInRedisClustersSlots(String key, int slot) {
        assertThat(HashSlot.of(Bytes.utf8(key))).isEqualTo(slot);
    }

    @Test
    void keysSharingATag_shareASlot_andEverySlotIsInRange() {
        SplittableRandom random = new SplittableRandom(33);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[random.nextInt(0, 40)];
            random.nextBytes(key);
            assertThat(HashSlot.of(Bytes.wrap(key))).isBetween(0, HashSlot.SLOTS - 1);
            String tag = Long.toString(random.nextLong(), 36);
            assertThat(HashSlot.of(Bytes.utf8("a{" + tag + "}" + i))).isEqualTo(HashSlot.of(Bytes.utf8("{" + tag + "}")))
                    .isEqualTo(HashSlot.of(Bytes.utf8(tag)));
        }
    }
}
