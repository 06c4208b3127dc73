package kvs.engine;

/**
 * Where a key's latest record lives: an index entry. Immutable and compared by value, so
 * compaction can swap an entry only if it still points at the record it copied.
 */
record Loc(int file, int offset, int length) {
}
