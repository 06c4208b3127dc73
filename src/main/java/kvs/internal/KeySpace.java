package kvs.internal;

import java.util.Iterator;

import kvs.KvsEngine;

/**
 * An engine's keys, listed without a lock: the iteration is weakly consistent (every key present
 * from its start to its end is seen once; keys written meanwhile may or may not be). Not API.
 */
public interface KeySpace {

    /** The keys present now, in no particular order. */
    Iterator<String> keys();

    /** How many keys are present. */
    long size();

    /** {@code engine}'s keys, or null when it cannot list them. */
    static KeySpace of(KvsEngine engine) {
        return engine instanceof KeySpace k ? k : null;
    }
}
