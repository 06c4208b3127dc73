package kvs.engine;

import java.nio.file.Path;

import kvs.KvsException;

/** Stored data failed its checksum or framing checks; the message names the file and offset. */
public class CorruptionException extends KvsException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception for a bad record at {@code offset} of {@code file}. */
    public CorruptionException(Path file, long offset, String what) {
        super("corrupt data in " + file + " at offset " + offset + ": " + what);
    }
}
