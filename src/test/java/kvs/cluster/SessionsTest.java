package kvs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import kvs.store.WriteId;
import org.junit.jupiter.api.Test;

/** Each client's last applied write: a retry is known, a new write is not, and old clients are forgotten alike everywhere. */
class SessionsTest {

    private final Sessions sessions = new Sessions();
    private final UUID a = new UUID(0, 1);

    @Test
    void aWriteIsApplied_onceRecorded_asAreItsClientsEarlierOnes_butNotItsLaterOnes() {
        assertThat(sessions.applied(new WriteId(a, 0))).isNull();
        sessions.record(new WriteId(a, 3), 10, true);
        assertThat(sessions.applied(new WriteId(a, 3))).isEqualTo(new Sessions.Last(3, 10, true));
        assertThat(sessions.applied(new WriteId(a, 2))).as("an earlier write").isNotNull();
        assertThat(sessions.applied(new WriteId(a, 4))).isNull();
        assertThat(sessions.applied(new WriteId(new UUID(0, 2), 3))).as("another client").isNull();
    }

    @Test
    void aClientIdleForTooManyEntries_isForgotten_andOneInUseIsKept() {
        UUID b = new UUID(0, 2);
        sessions.record(new WriteId(a, 0), 1, false);
        sessions.record(new WriteId(b, 0), 2, false);
        sessions.record(new WriteId(a, 1), 3, false); // a is used again: b is now the oldest
        sessions.record(new WriteId(a, 2), 2 + Sessions.IDLE_ENTRIES + 1, false);
        assertThat(sessions.all()).containsOnlyKeys(a);
    }

    @Test
    void beyondTheMostClients_theLeastRecentlyUsedIsForgotten() {
        for (int i = 0; i <= Sessions.MAX_CLIENTS; i++) {
            sessions.record(new WriteId(new UUID(1, i), 0), i, false);
        }
        assertThat(sessions.all()).hasSize(Sessions.MAX_CLIENTS).doesNotContainKey(new UUID(1, 0)).containsKey(new UUID(1, 1));
    }

    @Test
    void aLastWrite_readsFromTheTextFormOfFormat1Snapshots() {
        assertThat(Sessions.Last.parse(Long.MAX_VALUE + " 42 true")).isEqualTo(new Sessions.Last(Long.MAX_VALUE, 42, true));
        assertThatThrownBy(() -> Sessions.Last.parse("1 2")).isInstanceOf(IllegalArgumentException.class);
    }
}
