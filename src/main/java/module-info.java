/**
 * kvs as a named module: the library's API is exported, everything else stays inside.
 *
 * <p>Exported: {@code kvs} (KvsEngine, the exceptions), {@code kvs.store} (the store contract),
 * {@code kvs.engine} (KvStore, MvStoreEngine, EngineOptions, Durability), {@code kvs.client},
 * {@code kvs.server} (KvsServer, the server's start-up API) and {@code kvs.pool} (the ThreadPool
 * implementations), and {@code kvs.security}, whose Tls and Access the server's and the client's
 * Options take. Not exported: the cluster, the CLI, the wire protocols and their adapters
 * (kvs.protocol, kvs.protocol.server, kvs.resp), the command layer and its seam (kvs.command,
 * kvs.session), metrics and kvs.concurrent; {@code kvs.cli} is opened to picocli, which reads its
 * options by reflection. javac's -Xlint:exports (with -Werror, outside the bench profile) fails
 * the build when an exported public signature names a type of a package not exported here; the
 * three places KvsServer names kvs-server's own types (a Listener's protocol, the request
 * observer, the server's figures) say so with @SuppressWarnings("exports").
 *
 * <p>Ratis 3.3.0 splits the packages org.apache.ratis.server, .server.leader, .server.metrics,
 * .server.raftlog and .server.storage between ratis-server and ratis-server-api, which the module
 * system forbids for two modules. The build therefore leaves ratis-server-api off the module path
 * and adds its classes to ratis-server's automatic module:
 * {@code --patch-module ratis.server=ratis-server-api-3.3.0.jar} (pom.xml: javac, surefire; javac
 * also needs the packages only the patch brings, server.api, server.protocol and statemachine,
 * exported to kvs, which the JVM does by itself). A program that runs kvs on the module path
 * needs the same --patch-module; on the class path (bin/, the benchmark jar) nothing changes.
 * ratis-metrics-default has no valid automatic module name ("default" is a keyword): it goes on
 * the class path, where Ratis finds it through its service file.
 */
module kvs {
    exports kvs;
    exports kvs.store;
    exports kvs.engine;
    exports kvs.client;
    exports kvs.server;
    exports kvs.pool;
    exports kvs.expiry;
    // Not in the planned API, but KvsServer.Options and KvsClient.Options take its Tls and Access
    // (and kvs.server's public Link its Guard): javac's -Xlint:exports fails the build otherwise.
    exports kvs.security;

    opens kvs.cli to info.picocli;

    requires java.management;
    requires jdk.httpserver;

    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.dataformat.cbor;
    requires com.h2database.mvstore;
    requires info.picocli;
    // kvs-client's interactive mode only; the one-shot commands never load a class of it.
    requires org.jline.reader;
    requires org.jline.terminal;

    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.exporter.httpserver;
    requires io.prometheus.metrics.instrumentation.jvm;

    requires ratis.client;
    requires ratis.common;
    requires ratis.proto;
    requires ratis.server;
    requires ratis.grpc;
    requires ratis.thirdparty.misc;
}
