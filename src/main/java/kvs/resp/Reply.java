package kvs.resp;

import kvs.KvsException;

/** How a command replies once the operations it added have run. */
@FunctionalInterface
interface Reply {

    void write(RespWriter out) throws KvsException;

    static Reply error(RespError e) {
        return out -> out.error(e.line());
    }

    static Reply ok() {
        return out -> out.simple("OK");
    }
}
