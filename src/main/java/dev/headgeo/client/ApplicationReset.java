package dev.headgeo.client;

import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.tools.StreamsResetter;

/**
 * Makes a stopped application start over, as Kafka's own tools do it (streams-bootstrap's {@code
 * reset}): {@link StreamsResetter} moves the consumer group's offsets on the input topic (to its
 * earliest records, or its latest) and deletes the application's internal topics (the stores'
 * changelogs); then {@link KafkaStreams#cleanUp()} deletes this machine's state directory of the
 * application. Output topics are left alone: what is reprocessed is reported again. Each instance's
 * machine needs its own {@code cleanUp} (run {@code reset --local-only} there).
 */
public final class ApplicationReset {
    /** Where the input offsets go. */
    public enum Position {
        EARLIEST("--to-earliest"),
        LATEST("--to-latest");

        final String flag;

        Position(String flag) {
            this.flag = flag;
        }
    }

    /**
     * What was done, for the command's lines; {@code resetterOutput} is what StreamsResetter
     * printed.
     */
    public record Outcome(String resetterOutput, boolean localStateDeleted) {}

    /** How long Kafka may take to describe the group before the reset gives up. */
    static final java.time.Duration KAFKA_PATIENCE = java.time.Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String applicationId;
    private final String stateDir;
    private final HeadgeoTopics topics;
    private final Map<String, String> kafka;

    public ApplicationReset(
            String bootstrapServers,
            String applicationId,
            String stateDir,
            HeadgeoTopics topics,
            Map<String, String> kafka) {
        this.bootstrapServers = bootstrapServers;
        this.applicationId = applicationId;
        this.stateDir = stateDir;
        this.topics = topics;
        this.kafka = kafka;
    }

    /**
     * Resets the group's offsets and internal topics ({@code position}; {@code dryRun}: only say
     * what would be done; {@code force}: remove members still in the group, such as a killed
     * instance's, first), then the local state.
     *
     * @throws IllegalStateException with one line when the group still has members, Kafka does not
     *     answer, or the resetter fails
     */
    public Outcome reset(Position position, boolean dryRun, boolean force) {
        if (!force) {
            refuseWhileMembersRemain();
        }
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-server",
                                bootstrapServers,
                                "--application-id",
                                applicationId,
                                "--input-topics",
                                topics.layers().name(),
                                position.flag));
        if (dryRun) {
            args.add("--dry-run");
        }
        if (force) {
            args.add("--force");
        }
        // the client settings (security among them) reach every client StreamsResetter makes only
        // through its --command-config: a file of their own, readable by this user alone, gone
        // after
        Path config = clientConfigFile();
        args.addAll(List.of("--command-config", config.toString()));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status;
        // StreamsResetter writes to System.out and System.err; what it says is kept and handed back
        // in one piece
        PrintStream out = System.out;
        PrintStream err = System.err;
        synchronized (ApplicationReset.class) {
            PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            try {
                status = new StreamsResetter().execute(args.toArray(String[]::new));
            } finally {
                System.setOut(out);
                System.setErr(err);
                deleteQuietly(config);
            }
        }
        String said = printed.toString(StandardCharsets.UTF_8);
        if (status != 0) {
            // its ERROR line when it wrote one; else all it said (it fails, for one, on an input
            // topic that does not exist, saying so in three lines)
            String why =
                    said.lines()
                            .filter(l -> l.startsWith("ERROR"))
                            .findFirst()
                            .orElse(
                                    String.join(
                                            "; ",
                                            said.lines()
                                                    .filter(l -> !l.isBlank() && !l.equals("Done."))
                                                    .toList()));
            throw new IllegalStateException(
                    "Kafka's StreamsResetter failed (exit "
                            + status
                            + "): "
                            + why.replaceFirst("^ERROR: *", ""));
        }
        boolean deleted = !dryRun && cleanUpLocalState();
        return new Outcome(said, deleted);
    }

    /**
     * Only this machine's state directory of the application (for the other instances' machines
     * after a reset).
     */
    public boolean cleanUpLocalState() {
        Properties config =
                HeadgeoStreamsConfig.of(bootstrapServers, applicationId, stateDir, topics, kafka);
        try (KafkaStreams streams =
                new KafkaStreams(
                        HeadgeoTopology.build(topics, StreamSettings.defaults()), config)) {
            streams.cleanUp();
            return true;
        } catch (org.apache.kafka.streams.errors.StreamsException e) {
            throw new IllegalStateException(
                    "cannot delete the local state of "
                            + applicationId
                            + " (is an instance running here?): "
                            + e.getMessage());
        }
    }

    private void refuseWhileMembersRemain() {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put("bootstrap.servers", bootstrapServers);
        Admin admin = Admin.create(p);
        try {
            ConsumerGroupDescription group =
                    admin.describeConsumerGroups(
                                    List.of(applicationId),
                                    new DescribeConsumerGroupsOptions()
                                            .timeoutMs((int) KAFKA_PATIENCE.toMillis()))
                            .describedGroups()
                            .get(applicationId)
                            .get(KAFKA_PATIENCE.toMillis() + 1000, TimeUnit.MILLISECONDS);
            List<MemberDescription> members = List.copyOf(group.members());
            if (!members.isEmpty()) {
                throw new IllegalStateException(
                        "application "
                                + applicationId
                                + " still has "
                                + members.size()
                                + " member(s) ("
                                + String.join(
                                        ", ",
                                        members.stream()
                                                .map(
                                                        m ->
                                                                m.groupInstanceId()
                                                                                .orElse(
                                                                                        m
                                                                                                .consumerId())
                                                                        + "@"
                                                                        + m.host())
                                                .toList())
                                + "): stop every instance first, or --force to remove members that"
                                + " are gone (a killed instance stays a member until its session"
                                + " times out)");
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unanswered();
            }
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw new IllegalStateException(
                        "cannot describe the group "
                                + applicationId
                                + ": "
                                + KafkaCheck.describe(e.getCause(), bootstrapServers));
            }
        } catch (TimeoutException e) {
            throw unanswered();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            // a cluster that does not answer is not waited for twice
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }

    private IllegalStateException unanswered() {
        return new IllegalStateException(
                "Kafka at "
                        + bootstrapServers
                        + " did not answer within "
                        + KAFKA_PATIENCE.toSeconds()
                        + " s");
    }

    private Path clientConfigFile() {
        try {
            Path file = Files.createTempFile("headgeo-reset-", ".properties");
            Properties client = new Properties();
            client.putAll(kafka);
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                client.store(w, "headgeo reset: client settings for StreamsResetter");
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot write the client settings for StreamsResetter: " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file in the temporary directory: the system clears it
        }
    }
}
