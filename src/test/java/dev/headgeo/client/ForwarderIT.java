package dev.headgeo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.Receiver;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * headgeo forward against a local receiver (JSON, Slack, retries, kill -9 and restart) and against
 * Debian's real Alertmanager.
 */
class ForwarderIT {
    static final String ALERTMANAGER = "/usr/bin/prometheus-alertmanager";

    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static final HeadgeoTopics TOPICS = HeadgeoTopics.defaults();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        TopicCreator.createMissing(p, TOPICS.names());
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    /** A fresh alerts topic per test, so that no test sees another's alerts. */
    static HeadgeoTopics alertsTopic(String name) {
        HeadgeoTopics topics = HeadgeoTopics.builder().alerts(name + ".alerts").build();
        TopicCreator.createMissing(client(), List.of(topics.alerts().name()));
        return topics;
    }

    static List<Alert> produceAlerts(HeadgeoTopics topics, String run, int n, AlertType type) {
        List<Alert> out = new ArrayList<>();
        try (KafkaProducer<String, Alert> producer =
                new KafkaProducer<>(
                        client(),
                        topics.alerts().keySerde().serializer(),
                        topics.alerts().valueSerde().serializer())) {
            for (int i = 0; i < n; i++) {
                Alert a =
                        Alert.newBuilder()
                                .setType(type)
                                .setRunId(run)
                                .setCheckpoint(100L * (i + 1))
                                .setMessage("alert " + i + " of " + run)
                                .setRaisedAt(Instant.now())
                                .build();
                producer.send(new ProducerRecord<>(topics.alerts().name(), run, a));
                out.add(a);
            }
            producer.flush();
        }
        return out;
    }

    static void await(BooleanSupplier done, Duration patience, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Runs a forwarder in a thread until {@code done}; returns it after it stopped. */
    static AlertForwarder forwardUntil(
            HeadgeoTopics topics, String group, AlertForwarder.Target target, BooleanSupplier done)
            throws Exception {
        AlertForwarder f = new AlertForwarder(client(), topics, group, true, target);
        Thread t = new Thread(f::run);
        t.start();
        try {
            await(done, Duration.ofSeconds(60), "deliveries to " + target.to());
        } finally {
            f.stop();
            t.join(10_000);
            f.close();
        }
        return f;
    }

    @Test
    void jsonAndSlackBodiesReachAReceiverAndAFailingReceiverIsRetried() throws Exception {
        HeadgeoTopics topics = alertsTopic("json");
        List<Alert> sent = produceAlerts(topics, "json-run", 3, AlertType.INCOMPLETE_CHECKPOINT);
        // the first two requests fail: 503, then 500; the alert is retried until a 2xx
        try (Receiver json = new Receiver(n -> n == 1 ? 503 : n == 2 ? 500 : 200)) {
            forwardUntil(
                    topics,
                    "json-group",
                    new AlertForwarder.Target(
                            URI.create(json.url()),
                            AlertDelivery.json,
                            EnumSet.allOf(AlertType.class),
                            null,
                            Duration.ofSeconds(30)),
                    () -> json.bodies().size() >= 5);
            List<JsonNode> bodies = new ArrayList<>();
            for (String b : json.bodies()) {
                bodies.add(Json.MAPPER.readTree(b));
            }
            assertThat(bodies).hasSize(5);
            assertThat(bodies.get(0)).isEqualTo(bodies.get(1)).isEqualTo(bodies.get(2));
            assertThat(bodies.subList(2, 5))
                    .extracting(b -> b.get("message").asText())
                    .containsExactly(
                            "alert 0 of json-run", "alert 1 of json-run", "alert 2 of json-run");
            assertThat(bodies.get(2).get("type").asText()).isEqualTo("INCOMPLETE_CHECKPOINT");
            assertThat(bodies.get(2).get("run_id").asText()).isEqualTo("json-run");
            assertThat(sent).hasSize(3);
        }
        try (Receiver slack = new Receiver(n -> 200)) {
            forwardUntil(
                    topics,
                    "slack-group",
                    new AlertForwarder.Target(
                            URI.create(slack.url()),
                            AlertDelivery.slack,
                            EnumSet.of(AlertType.INCOMPLETE_CHECKPOINT),
                            "http://dash:8080/",
                            Duration.ofSeconds(30)),
                    () -> slack.bodies().size() >= 3);
            JsonNode first = Json.MAPPER.readTree(slack.bodies().get(0));
            assertThat(first.get("text").asText())
                    .contains(
                            "checkpoint 100 of run json-run is incomplete",
                            "alert 0 of json-run",
                            "<http://dash:8080/#/run/json-run|open the run on the dashboard>");
            assertThat(slack.paths()).containsOnly("/hook");
        }
    }

    @Test
    void anUnavailableReceiverIsRetriedForTheWholeMaxWaitAndNoLonger() throws Exception {
        HeadgeoTopics topics = alertsTopic("unavailable");
        produceAlerts(topics, "unavailable-run", 1, AlertType.INCOMPLETE_CHECKPOINT);
        try (Receiver down = new Receiver(n -> 503)) {
            AlertForwarder f =
                    new AlertForwarder(
                            client(),
                            topics,
                            "unavailable-group",
                            true,
                            new AlertForwarder.Target(
                                    URI.create(down.url()),
                                    AlertDelivery.json,
                                    EnumSet.allOf(AlertType.class),
                                    null,
                                    Duration.ofSeconds(4)));
            try (f) {
                long[] firstTry = new long[1];
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> {
                                    firstTry[0] = System.nanoTime();
                                    f.run();
                                })
                        .isInstanceOf(AlertForwarder.DeliveryException.class)
                        .hasMessageContaining("within 4 s")
                        .hasMessageContaining("503");
                double seconds = (System.nanoTime() - firstTry[0]) / 1e9;
                // back-off 0.5, 1, 2 s would leave 3.5 s; the last attempt is made at the deadline
                assertThat(seconds).as("gave up after").isGreaterThanOrEqualTo(4.0);
                assertThat(down.bodies().size()).as("attempts").isGreaterThanOrEqualTo(4);
            }
        }
    }

    @Test
    void aRefusingReceiverStopsTheForwarderWithOneLine() throws Exception {
        HeadgeoTopics topics = alertsTopic("refused");
        produceAlerts(topics, "refused-run", 1, AlertType.INCOMPLETE_CHECKPOINT);
        try (Receiver refusing = new Receiver(n -> 404)) {
            AlertForwarder f =
                    new AlertForwarder(
                            client(),
                            topics,
                            "refused-group",
                            true,
                            new AlertForwarder.Target(
                                    URI.create(refusing.url()),
                                    AlertDelivery.json,
                                    EnumSet.allOf(AlertType.class),
                                    null,
                                    Duration.ofSeconds(30)));
            try (f) {
                org.assertj.core.api.Assertions.assertThatThrownBy(f::run)
                        .isInstanceOf(AlertForwarder.DeliveryException.class)
                        .hasMessageContaining("refused")
                        .hasMessageContaining("404");
            }
        }
    }

    @Test
    void aForwarderKilledAndRestartedRedeliversNothingAcknowledged() throws Exception {
        HeadgeoTopics topics = alertsTopic("kill");
        List<Alert> sent = produceAlerts(topics, "kill-run", 6, AlertType.INCOMPLETE_CHECKPOINT);
        // three acknowledged, the fourth never answered: the process is killed while it waits
        try (Receiver receiver = new Receiver(n -> n <= 3 ? 200 : Receiver.HANG)) {
            Process first = forwardProcess(topics, receiver.url(), "first");
            try {
                await(
                        () -> receiver.bodies().size() >= 4,
                        Duration.ofSeconds(60),
                        "the fourth alert");
            } finally {
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            receiver.answer(n -> 200);
            Process second = forwardProcess(topics, receiver.url(), "second");
            try {
                await(
                        () -> messages(receiver).contains("alert 5 of kill-run"),
                        Duration.ofSeconds(60),
                        "the last alert");
                Thread.sleep(1000);
            } finally {
                second.destroy();
                second.waitFor(10, TimeUnit.SECONDS);
            }
            List<String> received = messages(receiver);
            assertThat(received.subList(0, 3))
                    .containsExactly(
                            "alert 0 of kill-run", "alert 1 of kill-run", "alert 2 of kill-run");
            // every alert at least once; the acknowledged ones exactly once; the one in flight at
            // the kill again
            assertThat(received)
                    .containsExactly(
                            "alert 0 of kill-run",
                            "alert 1 of kill-run",
                            "alert 2 of kill-run",
                            "alert 3 of kill-run",
                            "alert 3 of kill-run",
                            "alert 4 of kill-run",
                            "alert 5 of kill-run");
            assertThat(sent).hasSize(6);
        }
    }

    static List<String> messages(Receiver r) {
        List<String> out = new ArrayList<>();
        for (String b : r.bodies()) {
            try {
                out.add(Json.MAPPER.readTree(b).get("message").asText());
            } catch (java.io.IOException e) {
                out.add(b);
            }
        }
        return out;
    }

    static Process forwardProcess(HeadgeoTopics topics, String url, String name) throws Exception {
        return forwardProcess(topics, url, name, "kill-group", true);
    }

    static Process forwardProcess(
            HeadgeoTopics topics, String url, String name, String group, boolean fromBeginning)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.headgeo.cli.Main",
                                "forward",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--to",
                                url,
                                "--format",
                                "json",
                                "--group",
                                group,
                                "--alerts-topic",
                                topics.alerts().name()));
        if (fromBeginning) {
            command.add("--from-beginning");
        }
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("forward-" + name + ".log").toFile())
                .start();
    }

    /** A fresh alerts topic with {@code partitions} partitions. */
    static HeadgeoTopics alertsTopic(String name, int partitions) throws Exception {
        HeadgeoTopics topics = HeadgeoTopics.builder().alerts(name + ".alerts").build();
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(client())) {
            admin.createTopics(
                            List.of(
                                    new org.apache.kafka.clients.admin.NewTopic(
                                            topics.alerts().name(), partitions, (short) 1)))
                    .all()
                    .get();
        }
        return topics;
    }

    /** A run id that Java's partitioner puts on {@code partition} of {@code partitions}. */
    static String runOnPartition(String prefix, int partition, int partitions) {
        for (int i = 0; ; i++) {
            String run = prefix + "-" + i;
            byte[] key = run.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (org.apache.kafka.common.utils.Utils.toPositive(
                                    org.apache.kafka.common.utils.Utils.murmur2(key))
                            % partitions
                    == partition) {
                return run;
            }
        }
    }

    @Test
    void aNewGroupKilledBeforeAnyAlertOnSomePartitionsStillDeliversWhatCameMeanwhile()
            throws Exception {
        HeadgeoTopics topics = alertsTopic("every", 3);
        List<String> runs =
                List.of(
                        runOnPartition("p", 0, 3),
                        runOnPartition("p", 1, 3),
                        runOnPartition("p", 2, 3));
        try (Receiver receiver = new Receiver(i -> 200)) {
            Process first = forwardProcess(topics, receiver.url(), "every-1", "every-group", false);
            try {
                dev.headgeo.testing.LogFiles.awaitText(
                        tmp.resolve("forward-every-1.log"),
                        "(new, committed now)",
                        Duration.ofSeconds(60),
                        first);
                produceAlerts(topics, runs.get(0), 1, AlertType.VERDICT_FLIP);
                await(
                        () -> messages(receiver).contains("alert 0 of " + runs.get(0)),
                        Duration.ofSeconds(60),
                        "the first flip");
            } finally {
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // raised while no forwarder runs, on partitions it never delivered from
            for (String run : runs) {
                produceAlerts(topics, run, 2, AlertType.VERDICT_FLIP);
            }
            List<String> expected = new ArrayList<>(List.of("alert 0 of " + runs.get(0)));
            for (String run : runs) {
                expected.addAll(List.of("alert 0 of " + run, "alert 1 of " + run));
            }
            Process second =
                    forwardProcess(topics, receiver.url(), "every-2", "every-group", false);
            try {
                await(
                        () -> extra(messages(receiver), expected) != null,
                        Duration.ofSeconds(60),
                        "every alert raised meanwhile");
            } finally {
                second.destroy();
                second.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(second.exitValue()).as("forward's exit status after SIGTERM").isZero();
            // at-least-once: the first forwarder may have been killed after its POST and before its
            // commit,
            // so the alert it delivered may come again; nothing else is repeated, nothing is
            // missing
            assertThat(extra(messages(receiver), expected))
                    .as("deliveries beyond the alerts raised")
                    .allMatch(("alert 0 of " + runs.get(0))::equals);
            String started = java.nio.file.Files.readString(tmp.resolve("forward-every-1.log"));
            assertThat(started)
                    .contains(
                            "forwarding json alerts from Kafka at "
                                    + kafka.bootstrapServers()
                                    + " (group every-group) to "
                                    + receiver.url(),
                            "every.alerts-0@0 (new, committed now)",
                            "every.alerts-2@0 (new, committed now)");
        }
    }

    @Test
    void watchWithAGroupStoppedBeforeAnyRecordResumesWhereItStarted() throws Exception {
        HeadgeoTopics topics = alertsTopic("watched", 3);
        HeadgeoTopics watched = HeadgeoTopics.builder().alerts(topics.alerts().name()).build();
        OutputFollower.Options options =
                new OutputFollower.Options(false, true, false, "watch-group");
        try (OutputFollower follower = new OutputFollower(client(), watched, options)) {
            await(
                    () ->
                            follower.poll(
                                                    Duration.ofMillis(200),
                                                    new OutputFollower.Listener() {
                                                        @Override
                                                        public void report(
                                                                dev.headgeo.avro.CheckpointReport
                                                                        r) {}

                                                        @Override
                                                        public void alert(Alert a) {}
                                                    })
                                            >= 0
                                    && committedPartitions("watch-group") == 3,
                    Duration.ofSeconds(60),
                    "the group's start to be committed");
        }
        for (int p = 0; p < 3; p++) {
            produceAlerts(topics, runOnPartition("w", p, 3), 1, AlertType.INCOMPLETE_CHECKPOINT);
        }
        List<String> seen = new ArrayList<>();
        try (OutputFollower follower = new OutputFollower(client(), watched, options)) {
            await(
                    () ->
                            follower.poll(
                                                    Duration.ofMillis(200),
                                                    new OutputFollower.Listener() {
                                                        @Override
                                                        public void report(
                                                                dev.headgeo.avro.CheckpointReport
                                                                        r) {}

                                                        @Override
                                                        public void alert(Alert a) {
                                                            seen.add(a.getRunId());
                                                        }
                                                    })
                                            >= 0
                                    && seen.size() == 3,
                    Duration.ofSeconds(60),
                    "the three alerts raised while watch was stopped");
        }
        assertThat(seen)
                .containsExactlyInAnyOrder(
                        runOnPartition("w", 0, 3),
                        runOnPartition("w", 1, 3),
                        runOnPartition("w", 2, 3));
    }

    static int committedPartitions(String group) {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(client())) {
            return admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .size();
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void alertmanagerReceivesTheFlipOfARun() throws Exception {
        assumeTrue(
                ExternalProgram.installed(ALERTMANAGER),
                "prometheus-alertmanager is not installed");
        int port = ExternalProgram.freePort();
        Path dir = Files.createDirectories(tmp.resolve("alertmanager"));
        Files.writeString(
                dir.resolve("alertmanager.yml"),
                "route: {receiver: 'null'}\nreceivers: [{name: 'null'}]\n");
        var config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "headgeo-forward-it",
                        Files.createDirectories(tmp.resolve("state")).toString(),
                        TOPICS,
                        Map.of("commit.interval.ms", "100"));
        try (ExternalProgram alertmanager =
                        ExternalProgram.start(
                                "alertmanager",
                                List.of(
                                        ALERTMANAGER,
                                        "--config.file=" + dir.resolve("alertmanager.yml"),
                                        "--storage.path=" + dir.resolve("data"),
                                        "--web.listen-address=127.0.0.1:" + port,
                                        "--cluster.listen-address="),
                                dir,
                                "http://127.0.0.1:" + port + "/-/ready",
                                Duration.ofSeconds(60));
                ProcessorApp app =
                        ProcessorApp.start(
                                config, TOPICS, StreamSettings.defaults(), false, null, null);
                RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            publish.checkpoint("am-run", 100, "supported_12x12x64");
            publish.checkpoint("am-run", 200, "rejected_12x12x64");
            HttpClient http = HttpClient.newHttpClient();
            JsonNode[] found = new JsonNode[1];
            forwardUntil(
                    TOPICS,
                    "am-group",
                    new AlertForwarder.Target(
                            URI.create("http://127.0.0.1:" + port),
                            AlertDelivery.alertmanager,
                            EnumSet.allOf(AlertType.class),
                            "http://headgeo.example:8080/",
                            Duration.ofSeconds(30)),
                    () -> {
                        try {
                            HttpResponse<String> r =
                                    http.send(
                                            HttpRequest.newBuilder(
                                                            URI.create(
                                                                    "http://127.0.0.1:"
                                                                            + port
                                                                            + "/api/v2/alerts"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString());
                            for (JsonNode a : Json.MAPPER.readTree(r.body())) {
                                if (a.get("labels")
                                                .get("alertname")
                                                .asText()
                                                .equals("HeadgeoVerdictFlip")
                                        && a.get("labels")
                                                .get("run_id")
                                                .asText()
                                                .equals("am-run")) {
                                    found[0] = a;
                                    return true;
                                }
                            }
                            return false;
                        } catch (Exception e) {
                            return false;
                        }
                    });
            assertThat(found[0].get("labels").get("direction").asText()).isEqualTo("worse");
            assertThat(found[0].get("labels").get("severity").asText())
                    .as("into REJECTED")
                    .isEqualTo("critical");
            assertThat(found[0].get("annotations").get("anchor").asText()).isEqualTo("LAST");
            assertThat(found[0].get("annotations").get("summary").asText())
                    .contains("am-run", "REJECTED", "200");
            assertThat(found[0].get("generatorURL").asText())
                    .isEqualTo("http://headgeo.example:8080/#/run/am-run");
            assertThat(found[0].get("status").get("state").asText()).isEqualTo("active");
        }
    }

    /**
     * What {@code got} holds beyond {@code expected} (as multisets), or null while something
     * expected is missing.
     */
    static List<String> extra(List<String> got, List<String> expected) {
        List<String> left = new ArrayList<>(got);
        for (String e : expected) {
            if (!left.remove(e)) {
                return null;
            }
        }
        return left;
    }
}
