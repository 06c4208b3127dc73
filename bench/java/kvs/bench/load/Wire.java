package kvs.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One target's protocol as the load generator speaks it: requests appended to a buffer,
 * replies taken from one. A wire belongs to one connection and checks every reply it reads.
 */
interface Wire {

    /** What a checked reply was. */
    enum Reply { OK, HIT, MISS }

    /** The most bytes one request of this workload takes. */
    int maxRequestBytes();

    /** The most bytes one reply of this workload takes. */
    int maxReplyBytes();

    void writeGet(ByteBuffer out, int key);

    void writeSet(ByteBuffer out, int key);

    /**
     * Takes one whole reply from {@code in} and checks it: a get's value must be the
     * workload's value.
     *
     * @return the reply, or null if {@code in} holds only part of one (its position is then unchanged)
     * @throws IOException if the reply is an error or not a valid reply
     */
    Reply read(ByteBuffer in) throws IOException;
}
