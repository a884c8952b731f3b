package quanze;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j Community DBMS that only speaks Bolt on a loopback
 * address, for development and tests (started by scripts/neo4j).
 * 开发与测试用的嵌入式 Neo4j 社区版：只在回环地址上开放 Bolt。
 *
 * <pre>
 * java -cp 'classes:lib/*' quanze.Neo4jLauncher --home DIR --port N
 *      [--host 127.0.0.1] [--ready-file FILE] [--conf neo4j.conf]
 *      [--pagecache 64m] [--tx-memory 512m]
 * </pre>
 *
 * The ready file is written only after the default database answered a
 * query, so a caller polling for it never sees a half-started server.
 */
public final class Neo4jLauncher {

    private Neo4jLauncher() {}

    public static void main(String[] args) {
        Path home = null;
        Path readyFile = null;
        Path conf = null;
        String host = "127.0.0.1";
        int port = 7687;
        String pagecache = "64m";
        String txMemory = "512m";
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = (i + 1 < args.length) ? args[i + 1] : null;
                switch (a) {
                    case "--home": home = Path.of(need(a, v)).toAbsolutePath(); i++; break;
                    case "--host": host = need(a, v); i++; break;
                    case "--port": port = Integer.parseInt(need(a, v)); i++; break;
                    case "--ready-file": readyFile = Path.of(need(a, v)).toAbsolutePath(); i++; break;
                    case "--conf": conf = Path.of(need(a, v)).toAbsolutePath(); i++; break;
                    case "--pagecache": pagecache = need(a, v); i++; break;
                    case "--tx-memory": txMemory = need(a, v); i++; break;
                    default: throw new IllegalArgumentException("unknown argument: " + a);
                }
            }
            if (home == null) {
                throw new IllegalArgumentException("--home is required");
            }
            // Auth is off, so anything but loopback would hand the database to the network.
            if (!java.net.InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("--host must be a loopback address (auth is disabled): " + host);
            }
        } catch (RuntimeException | java.net.UnknownHostException e) {
            System.err.println("neo4j-launcher: " + e.getMessage());
            System.exit(2);
            return;
        }

        String url = "bolt://" + host + ":" + port;
        log("starting Neo4j " + neo4jVersion() + " home=" + home + " bolt=" + url);
        if (readyFile != null) {
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException e) {
                fail("cannot remove old ready file " + readyFile, e);
            }
        }

        DatabaseManagementService dbms;
        try {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                    // Neo4j's own INFO lines ("Bolt enabled on ...") end up in the server log next to ours.
                    .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                    .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pagecache))
                    // Bounds the heap that all running transactions may take, so a runaway
                    // query fails with a clear error instead of an OutOfMemoryError.
                    .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, parseBytes(txMemory))
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    // Default preallocation makes every tx log 256 MiB on disk; pointless for tests.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    // Netty's graceful-shutdown quiet period (5 s per Bolt event loop group) made
                    // every stop take over 10 s; nothing is in flight once the databases are down.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false);
            if (conf != null) {
                // Extra settings for experiments; the settings below still win, so a conf
                // file cannot open the server to the network or switch auth back on by accident.
                builder.loadPropertiesFromFile(conf);
            }
            builder.setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    // Safe only because Bolt listens on loopback (see docs/neo4j-dev.md).
                    .setConfig(GraphDatabaseSettings.auth_enabled, false);
            dbms = builder.build();
        } catch (Throwable e) {
            fail(isBindFailure(e)
                    ? "could not listen on " + host + ":" + port + ": address already in use"
                    : "could not start the DBMS", e);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        final DatabaseManagementService service = dbms;
        // SIGTERM/SIGINT run shutdown hooks; a clean shutdown checkpoints the store so the
        // next start needs no recovery.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutdown requested, stopping Neo4j");
            try {
                service.shutdown();
                log("Neo4j stopped");
            } catch (Throwable e) {
                System.err.println("neo4j-launcher: error during shutdown: " + e);
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "quanze-neo4j-shutdown"));

        try {
            GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(TimeUnit.MINUTES.toMillis(3))) {
                fail("default database did not become available", null);
            }
            db.executeTransactionally("RETURN 1");
            if (readyFile != null) {
                Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
                Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, readyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (Throwable e) {
            fail("Neo4j started but the default database is not usable", e);
        }
        log("READY " + url);

        // Neo4j's worker threads are not guaranteed to keep the JVM alive on their own.
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static String need(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /** "64m", "1g", "512k" or plain bytes. */
    static long parseBytes(String s) {
        String t = s.trim().toLowerCase();
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? ByteUnit.kibiBytes(1) : last == 'm' ? ByteUnit.mebiBytes(1) : ByteUnit.gibiBytes(1);
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "(unknown version)" : v;
    }

    private static void log(String msg) {
        System.out.println(java.time.Instant.now() + " [quanze-launcher] " + msg);
        System.out.flush();
    }

    private static void fail(String msg, Throwable e) {
        System.err.println("neo4j-launcher: " + msg);
        if (e != null) {
            e.printStackTrace();
        }
        System.err.flush();
        // halt, not exit: a half-built DBMS may hold non-daemon threads and our own
        // shutdown hook would try to stop a service that never started properly.
        Runtime.getRuntime().halt(1);
    }
}
