package kvs.session;

/**
 * One connection's count of the requests it has answered, handed to {@link ServerStats} a run
 * of one kind at a time rather than one request at a time: a shared counter's cache line moves
 * between cores on every increment, and a pipelined batch is mostly one kind. Used by its
 * connection's thread only; {@link #flush} at the end of each batch. Not API.
 */
public final class RequestTally {

    private final ServerStats stats;
    private String kind;
    private int count;
    private long takenAt;

    public RequestTally(ServerStats stats) {
        this.stats = stats;
    }

    /** Counts a request of {@code kind} answered, its batch taken at {@code takenAt} (by {@link ServerStats#now}). */
    public void add(String kind, long takenAt) {
        if (count > 0 && (takenAt != this.takenAt || !kind.equals(this.kind))) {
            flush();
        }
        this.kind = kind;
        this.takenAt = takenAt;
        count++;
    }

    /** Hands the run counted so far to the server's figures. */
    public void flush() {
        if (count > 0) {
            stats.answered(kind, count, takenAt);
            count = 0;
        }
    }
}
