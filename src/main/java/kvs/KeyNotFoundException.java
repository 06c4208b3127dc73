package kvs;

/** Thrown by {@code remove} when the key is absent; its message is always {@code Key not found}. */
public class KeyNotFoundException extends KvsException {

    private static final long serialVersionUID = 1L;

    /** The message every KeyNotFoundException carries (the CLIs print it verbatim). */
    public static final String MESSAGE = "Key not found";

    /** Creates the exception. */
    public KeyNotFoundException() {
        super(MESSAGE);
    }
}
