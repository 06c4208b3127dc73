/**
 * Other embedded stores behind {@link kvs.KvsEngine} (RocksDB, LMDB, SQLite), so the benchmarks
 * can compare kvs with them at equal durability; bench-only, opened through {@link kvs.bench.Engines}.
 */
package kvs.bench.peers;
