package kvs.engine;

import java.nio.file.Path;

import kvs.KvsException;

/** Stored data failed its checksum or framing checks; the message names the file and offset. */
public class CorruptionException extends KvsException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a bad record at {@code offset} of {@code file}.
     *
     * @param file   the log or hint file that holds the bad record
     * @param offset the record's byte offset in {@code file}
     * @param what   what is wrong with it (a checksum, a length, a key)
     */
    public CorruptionException(Path file, long offset, String what) {
        super("corrupt data in " + file + " at offset " + offset + ": " + what);
    }
}
