package kvs.cluster;

import java.io.IOException;
import java.nio.file.Path;

import kvs.KvsException;
import kvs.engine.EngineOptions;
import kvs.store.Store;
import kvs.store.Watches;

/** Tests' shard engines: shard {@code N}'s in {@code DIR/N}, opened by {@code opener} with options sharing one table of watched keys. */
final class ShardEngineDirs implements ShardEngines {

    /** Opens an engine in a directory. */
    @FunctionalInterface
    interface Opener {
        Store open(Path dir, EngineOptions options) throws KvsException;
    }

    private final Path dir;
    private final EngineOptions options;
    private final Opener opener;

    ShardEngineDirs(Path dir, EngineOptions options, Opener opener) {
        this.dir = dir;
        this.options = options.watches() != null ? options : options.withWatches(new Watches());
        this.opener = opener;
    }

    @Override
    public Store open(int shard) throws IOException, KvsException {
        return opener.open(dir.resolve(Integer.toString(shard)), options);
    }

    @Override
    public Watches watches() {
        return options.watches();
    }
}
