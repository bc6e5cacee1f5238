package dev.headgeo.kafka;

import dev.headgeo.util.Directories;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, on free
 * loopback ports, with its data in a temporary directory that {@link #close()} removes. For the
 * demo and the integration tests; settings sized for a small machine.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final KafkaConfig config;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, int port, KafkaConfig config, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.port = port;
        this.config = config;
        this.server = server;
    }

    /** Formats storage and starts the broker on a free port; returns when it accepts clients. */
    public static EmbeddedKafka start() {
        return start(0);
    }

    /** The same on a given client port (0: any free one). */
    public static EmbeddedKafka start(int clientPort) {
        return start(clientPort, null);
    }

    /**
     * A broker whose client listener wants SASL/PLAIN and authorizes with ACLs (StandardAuthorizer,
     * nothing allowed without an ACL). {@code users} maps user names to passwords; {@code admin}
     * must be one of them and is a super user (as is the controller listener's ANONYMOUS).
     */
    public static EmbeddedKafka startSecured(Map<String, String> users) {
        if (!users.containsKey("admin")) {
            throw new IllegalArgumentException("users must include admin");
        }
        return start(0, users);
    }

    /** The JAAS line a client of a secured broker uses. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    private static EmbeddedKafka start(int clientPort, Map<String, String> users) {
        if (clientPort != 0) {
            // the broker's own bind failure comes with a page of stack traces; ask first
            try (ServerSocket probe =
                    new ServerSocket(clientPort, 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot start the embedded Kafka broker: port "
                                + clientPort
                                + " on 127.0.0.1 is already in use (choose another with --port, or"
                                + " 0 for any free one)");
            }
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("headgeo-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            int port = clientPort == 0 ? freePort() : clientPort;
            int controllerPort = freePort();
            String logDir = dir.resolve("log").toString();
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            p.put(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("log.dirs", logDir);
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("log.cleaner.dedupe.buffer.size", "2097152");
            p.put("num.network.threads", "1");
            p.put("num.io.threads", "2");
            p.put("auto.create.topics.enable", "false");
            if (users != null) {
                StringBuilder jaas =
                        new StringBuilder(
                                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                        + " username=\"admin\" password=\""
                                        + users.get("admin")
                                        + "\"");
                users.forEach(
                        (user, password) ->
                                jaas.append(" user_")
                                        .append(user)
                                        .append("=\"")
                                        .append(password)
                                        .append('"'));
                jaas.append(';');
                p.put(
                        "listeners",
                        "SASL_PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort);
                p.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
                p.put("inter.broker.listener.name", "SASL_PLAINTEXT");
                p.put(
                        "listener.security.protocol.map",
                        "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
                p.put("sasl.enabled.mechanisms", "PLAIN");
                p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
                p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString());
                p.put(
                        "authorizer.class.name",
                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                p.put("allow.everyone.if.no.acl.found", "false");
                p.put("super.users", "User:admin;User:ANONYMOUS");
            }
            KafkaConfig config = KafkaConfig.fromProps(p);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir)
                    .setDirectories(List.of(logDir))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return new EmbeddedKafka(dir, port, config, server);
        } catch (Exception e) {
            Directories.deleteRecursively(dir);
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    throw new IllegalStateException(
                            "cannot start the embedded Kafka broker: port "
                                    + clientPort
                                    + " on 127.0.0.1 is already in use (choose another with --port,"
                                    + " or 0 for any free one)",
                            e);
                }
            }
            throw new IllegalStateException(
                    "cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Stops the broker but keeps its data and ports, so that {@link #restart()} brings the same
     * cluster back (an outage, for tests).
     */
    public synchronized void stopKeepingData() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /**
     * Starts the broker again after {@link #stopKeepingData()}, on the same ports with the same
     * data.
     */
    public synchronized void restart() {
        if (server == null) {
            KafkaRaftServer again = new KafkaRaftServer(config, Time.SYSTEM);
            again.startup();
            server = again;
        }
    }

    @Override
    public synchronized void close() {
        try {
            stopKeepingData();
        } finally {
            Directories.deleteRecursively(dataDir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
