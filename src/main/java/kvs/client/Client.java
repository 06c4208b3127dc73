package kvs.client;

import java.util.Map;

import kvs.KvsEngine;
import kvs.KvsException;

/** A client of one kvs-server ({@link KvsClient}) or of a replicated group ({@link GroupClient}). */
public interface Client extends KvsEngine {

    /** Asks the server to answer; returns once it has. */
    void ping() throws KvsException;

    /** The server's figures by name (text or Long values), in the server's order. */
    Map<String, Object> stats() throws KvsException;
}
