package kvs.protocol;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/** The one Jackson CBOR factory of the kvs protocol, and its limits. */
final class Cbor {

    /** Deep enough for any future request; shallow enough that no input can exhaust a stack. */
    static final int MAX_DEPTH = 16;

    /**
     * Parsers and generators over byte arrays the caller owns. Strings and names are bounded by
     * the frame, not by Jackson's defaults (a 20 M-character string would be refused within a
     * larger configured frame). Buffers are recycled through one shared pool rather than
     * per thread: with a virtual thread per connection, per-thread buffers would stay with every
     * idle connection.
     */
    static final CBORFactory FACTORY = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();

    private Cbor() {
    }
}
