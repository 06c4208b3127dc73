package kvs.cluster;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import kvs.store.WriteId;

/**
 * The last write each client had applied (docs/PROTOCOL.md's {@code cid}/{@code seq}), so a write
 * retried after a lost answer (a member killed, a leader changed) is applied once: every member
 * records the same table from the same log, and a snapshot carries it. A client is forgotten once
 * {@value #MAX_CLIENTS} others wrote since, or {@value #IDLE_ENTRIES} entries went by without its
 * writes (both counted in the log, so every member forgets alike); a client retries for seconds,
 * not for that long.
 */
final class Sessions {

    static final int MAX_CLIENTS = 100_000;
    static final long IDLE_ENTRIES = 1_000_000;

    /**
     * A client's last applied write.
     *
     * @param seq      its number
     * @param index    the log entry that held it
     * @param notFound whether it was a remove of an absent key (its reply, for a retry)
     */
    record Last(long seq, long index, boolean notFound) {

        /** {@code SEQ INDEX NOTFOUND}, as a snapshot of format 1 holds it. */
        static Last parse(String text) {
            String[] p = text.split(" ");
            if (p.length != 3) {
                throw new IllegalArgumentException("not a client's last write: " + text);
            }
            return new Last(Long.parseLong(p[0]), Long.parseLong(p[1]), Boolean.parseBoolean(p[2]));
        }
    }

    /** Oldest use first. */
    private final LinkedHashMap<UUID, Last> clients = new LinkedHashMap<>();

    /** The last write of {@code id}'s client if it is {@code id} or later (then {@code id} was applied), else null. */
    synchronized Last applied(WriteId id) {
        Last last = clients.get(id.client());
        return last != null && id.seq() <= last.seq() ? last : null;
    }

    /** Records {@code id} as applied in entry {@code index}, and forgets clients per the rules above. */
    synchronized void record(WriteId id, long index, boolean notFound) {
        clients.remove(id.client());
        clients.put(id.client(), new Last(id.seq(), index, notFound));
        for (Iterator<Last> it = clients.values().iterator(); it.hasNext(); ) {
            Last oldest = it.next();
            if (clients.size() <= MAX_CLIENTS && index - oldest.index() <= IDLE_ENTRIES) {
                break;
            }
            it.remove();
        }
    }

    /** Puts back a client's last write from a snapshot, in the snapshot's order (oldest use first). */
    synchronized void restore(UUID client, Last last) {
        clients.put(client, last);
    }

    synchronized void clear() {
        clients.clear();
    }

    /** Every client's last write, oldest use first (a copy). */
    synchronized Map<UUID, Last> all() {
        return new LinkedHashMap<>(clients);
    }
}
