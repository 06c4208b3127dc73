package kvs.internal;

import kvs.KvsException;

/** How a failure recorded on an operation (a Write's, a read's) is thrown to the caller that asked for it. Not API. */
public final class Failures {

    private Failures() {
    }

    /**
     * {@code e} as the KvsException to throw: itself if it is one, else wrapped. A RuntimeException
     * is thrown as it is, here.
     */
    public static KvsException rethrown(Exception e) {
        if (e instanceof KvsException k) {
            return k;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        return new KvsException(e.getMessage(), e);
    }
}
