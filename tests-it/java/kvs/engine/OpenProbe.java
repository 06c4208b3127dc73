package kvs.engine;

import java.nio.file.Path;

import kvs.KvsEngine;
import kvs.KvsException;

/**
 * A child process for {@link DirectoryLockIT}: opens an engine on a directory, prints
 * {@code open} and holds it until stdin closes, or prints the error and exits 3.
 */
public final class OpenProbe {

    private OpenProbe() {
    }

    /** Arguments: DIR kvs|mvstore. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KvsEngine engine;
        try {
            engine = args[1].equals("kvs") ? KvStore.open(dir) : MvStoreEngine.open(dir);
        } catch (KvsException e) {
            System.out.println("error: " + e.getMessage());
            System.exit(3);
            return;
        }
        System.out.println("open");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the directory until the parent closes our stdin
        }
        engine.close();
    }
}
