package kvs.engine;

import java.nio.ByteBuffer;

import kvs.store.Bytes;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * MvStoreEngine's values on disk: a varint length and the bytes (the layout of H2's
 * ByteArrayDataType), held in MVStore's page cache as {@link StoredValue}s, so a value read again
 * is handed out in the form it was last read in (bytes or text) without converting it again.
 */
final class StoredValueType extends BasicDataType<StoredValue> {

    static final StoredValueType INSTANCE = new StoredValueType();

    private StoredValueType() {
    }

    @Override
    public int getMemory(StoredValue v) {
        return 24 + v.bytes().length();
    }

    @Override
    public void write(WriteBuffer buff, StoredValue v) {
        Bytes b = v.bytes();
        buff.putVarInt(b.length());
        buff.put(b.toByteArray());
    }

    @Override
    public StoredValue read(ByteBuffer buff) {
        byte[] b = new byte[DataUtils.readVarInt(buff)];
        buff.get(b);
        return new StoredValue(Bytes.wrap(b));
    }

    @Override
    public StoredValue[] createStorage(int size) {
        return new StoredValue[size];
    }
}
