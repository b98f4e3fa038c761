/*
 * ParkLoop test infrastructure: starts a single Elasticsearch node in this JVM from a plain
 * Maven Central classpath (the distribution is not published there). Builds the node through
 * NodeConstruction with our own NodeServiceProvider, like the test framework's MockNode, which is
 * why this class sits in org.elasticsearch.node (those APIs are package-private).
 *
 * Usage: java ... org.elasticsearch.node.ParkLoopEsLauncher HOME key=value...
 *   HOME/config must hold a log4j2.properties; every key=value becomes a node setting.
 * Pinned to Elasticsearch 9.5.3: re-check on upgrade.
 */
package org.elasticsearch.node;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;
import parkloop.engines.RootInfoPlugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public final class ParkLoopEsLauncher {

    private static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, RootInfoPlugin.class);

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ParkLoopEsLauncher HOME [key=value ...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Settings.Builder settings = Settings.builder().put("path.home", home.toString());
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Settings initial = settings.build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
            initial, Map.of(), home.resolve("config"), () -> initial.get("node.name", "parkloop"));

        // ES refuses to log before its own configuration is in place.
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(env.settings().get("node.name", "parkloop"));
        LogConfigurator.setClusterName(env.settings().get("cluster.name", "parkloop"));
        LogConfigurator.configure(env, true);

        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment environment, PluginsLoader pluginsLoader) {
                return new ClasspathPluginsService(environment.settings(), environment, PLUGINS);
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(env, null, provider, true));

        // Stop cleanly on SIGTERM/SIGINT so the data directory is left consistent.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "parkloop-es-shutdown"));

        node.start();
        stopped.await();
    }
}
