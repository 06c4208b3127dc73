package kvs.engine;

import java.nio.ByteBuffer;

import kvs.store.Bytes;
import kvs.store.Entry;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * MvStoreEngine's values on disk, held in MVStore's page cache as {@link StoredValue}s, so a
 * value read again is handed out in the form it was last read in (bytes or text) without
 * converting it again. A value without a deadline is a varint length and the bytes (the layout of
 * H2's ByteArrayDataType, format 2's); one with a deadline is the varint of the length's
 * complement (negative, so format 2's values read as they are), a varlong deadline, the bytes.
 */
final class StoredValueType extends BasicDataType<StoredValue> {

    static final StoredValueType INSTANCE = new StoredValueType();

    private StoredValueType() {
    }

    @Override
    public int getMemory(StoredValue v) {
        return 32 + v.bytes().length();
    }

    @Override
    public void write(WriteBuffer buff, StoredValue v) {
        Bytes b = v.bytes();
        if (v.deadline() == Entry.NONE) {
            buff.putVarInt(b.length());
        } else {
            buff.putVarInt(~b.length());
            buff.putVarLong(v.deadline());
        }
        buff.put(b.toByteArray());
    }

    @Override
    public StoredValue read(ByteBuffer buff) {
        int header = DataUtils.readVarInt(buff);
        long deadline = header < 0 ? DataUtils.readVarLong(buff) : Entry.NONE;
        byte[] b = new byte[header < 0 ? ~header : header];
        buff.get(b);
        return new StoredValue(Bytes.wrap(b), deadline);
    }

    @Override
    public StoredValue[] createStorage(int size) {
        return new StoredValue[size];
    }
}
