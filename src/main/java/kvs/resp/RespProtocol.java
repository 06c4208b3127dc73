package kvs.resp;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

import kvs.session.Link;
import kvs.slots.Topology;
import kvs.session.Protocol;
import kvs.session.Refusal;
import kvs.session.Session;

/** RESP2 and RESP3, the Redis protocol (docs/RESP.md), as a listener's {@link Protocol}. */
public final class RespProtocol {

    /**
     * What the RESP commands report about the server.
     *
     * @param version kvs's version (INFO's kvs_version)
     * @param config   CONFIG GET's fixed table: parameter → value (a "port" entry reads as the listener's port)
     * @param topology the sharded cluster this server is a process of, or null: then it is no Redis Cluster node
     */
    public record Settings(String version, Map<String, String> config, Topology topology) {
        public Settings {
            Objects.requireNonNull(version, "version");
            config = Map.copyOf(config);
        }

        /** The settings of a server that is no Redis Cluster node. */
        public Settings(String version, Map<String, String> config) {
            this(version, config, null);
        }
    }

    private RespProtocol() {
    }

    public static Protocol of(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        return new Protocol() {
            @Override
            public Session open(Link link) {
                return new RespSession(link, settings);
            }

            /** Redis's words: {@code -DENIED} for protected mode, {@code -ERR max number of clients reached}. */
            @Override
            public byte[] refusal(Refusal why) {
                String line = why == Refusal.PROTECTED_MODE ? "-DENIED " + why.message() : "-ERR " + why.message();
                return (line + "\r\n").getBytes(StandardCharsets.UTF_8);
            }
        };
    }
}
