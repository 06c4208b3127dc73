package kvs.store;

/**
 * The refusal of a transaction made with a {@link Watch} that no longer holds: a watched key was
 * written, removed or expired since it was watched. Nothing was written; the caller may read
 * again and retry (Redis's EXEC answers it with a null array).
 */
public final class WatchBroken extends Refusal {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the refusal.
     *
     * @param key the watched key that changed
     */
    public WatchBroken(Bytes key) {
        super("a watched key changed: " + key);
    }
}
