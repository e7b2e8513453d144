package dev.downtimemonitor.devnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch for development and CI: the modules a distribution would load from
 * modules/ come from the classpath instead, plus {@link ElasticCompatPlugin}.
 *
 * <pre>java -cp 'target/classes:target/lib/*' dev.downtimemonitor.devnode.DevNode .es 9200</pre>
 *
 * Data in HOME/data, logs on stdout (the start script redirects them to HOME/node.log).
 */
public final class DevNode extends Node {
    private static final String NODE_NAME = "dev-node";

    // Console only: the start script owns the log file, and nothing else has to be rotated.
    private static final String LOG4J2_PROPERTIES = """
        status = error
        appender.console.type = Console
        appender.console.name = console
        appender.console.layout.type = PatternLayout
        appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n
        rootLogger.level = info
        rootLogger.appenderRef.console.ref = console
        """;

    private DevNode(Environment environment) {
        super(
            environment,
            List.of(
                Netty4Plugin.class,
                PainlessPlugin.class,
                CommonAnalysisPlugin.class,
                ReindexPlugin.class,
                MapperExtrasPlugin.class,
                ElasticCompatPlugin.class
            ),
            true
        );
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DevNode <home-dir> <http-port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int httpPort = Integer.parseInt(args[1]);
        Path config = Files.createDirectories(home.resolve("config"));
        Files.writeString(config.resolve("log4j2.properties"), LOG4J2_PROPERTIES);

        Settings settings = Settings.builder()
            .put("cluster.name", "downtime-monitor-dev")
            .put("node.name", NODE_NAME)
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            // A range: the first free port wins, so a stray node on http+100 does not block us.
            .put("transport.port", (httpPort + 100) + "-" + (httpPort + 199))
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            // A developer's nearly full disk would otherwise turn every index read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> NODE_NAME);
        LogConfigurator.setNodeName(NODE_NAME);
        LogConfigurator.configure(environment);

        Node node = new DevNode(environment);
        // OpenSearch's threads are daemons: keep the JVM alive until SIGTERM, then close cleanly
        // so the next start finds its shards without recovery work.
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "dev-node-shutdown"));
        try {
            node.start();
        } catch (Exception e) {
            // One line near the end of the log, where the start script shows its tail.
            e.printStackTrace();
            System.err.println("dev-node: could not start: " + e);
            System.exit(1);
        }
        closed.await();
    }
}
