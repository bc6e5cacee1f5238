package dev.headgeo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.AlertType;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.http.MetricsLimits;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExactResidual;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Receiver;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Design §11 with the real programs: a processor, Debian's Prometheus with the shipped rules and
 * `forward --format alertmanager` both feeding one real Alertmanager. Each condition is one alert
 * there (no label set twice, no instance or job on a run's alert); a rejected run that recovers, a
 * withdrawn forecast and an incomplete spell resolve within a minute and the receivers hear the
 * resolution; a recovery arrives as info; a run silenced with amtool stays silent; an owner tag
 * (`--label-tags owner` on both paths) routes to the owner's receiver; a `forward` process killed
 * with kill -9 and restarted delivers every alert raised meanwhile, on every partition.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertLifecycleIT {
    static final String PROMETHEUS = "/usr/bin/prometheus";
    static final String ALERTMANAGER = "/usr/bin/prometheus-alertmanager";
    static final String AMTOOL = "/usr/bin/amtool";
    static final Duration RESOLVES_WITHIN = Duration.ofSeconds(60);

    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static ProcessorApp app;
    static ExternalProgram alertmanager;
    static ExternalProgram prometheus;
    static Receiver ana;
    static Receiver team;
    static AlertForwarder forwarder;
    static Thread forwarding;
    static String am;
    static int promPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Map<String, String> OWNED_BY_ANA = Map.of("owner", "ana");

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                ExternalProgram.installed(PROMETHEUS)
                        && ExternalProgram.installed(ALERTMANAGER)
                        && ExternalProgram.installed(AMTOOL),
                "prometheus, prometheus-alertmanager and amtool are not installed (apt-get install"
                        + " prometheus prometheus-alertmanager)");
        kafka = EmbeddedKafka.start();
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        var config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "headgeo-lifecycle-it",
                        Files.createDirectories(tmp.resolve("state")).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        // a short time-out, so that an incomplete checkpoint is reported within the test
        app =
                ProcessorApp.start(
                        config,
                        topics,
                        StreamSettings.defaults().withCheckpointTimeout(Duration.ofSeconds(3)),
                        true,
                        new HttpAddress("127.0.0.1", 0),
                        null,
                        new MetricsLimits(200, Duration.ofHours(24), List.of("owner")));
        assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
        int headgeoPort = Integer.parseInt(app.httpUrl().replaceAll(".*:(\\d+)/$", "$1"));

        ana = new Receiver(n -> 200);
        team = new Receiver(n -> 200);
        int amPort = ExternalProgram.freePort();
        am = "http://127.0.0.1:" + amPort;
        Path amDir = Files.createDirectories(tmp.resolve("alertmanager"));
        // routed by the owner tag that both paths turn into a label; the webhook hears resolutions
        // too
        Files.writeString(
                amDir.resolve("alertmanager.yml"),
                String.join(
                        "\n",
                        "route:",
                        "  receiver: team",
                        "  group_by: [alertname, run_id]",
                        "  group_wait: 1s",
                        "  group_interval: 1s",
                        "  repeat_interval: 1h",
                        "  routes:",
                        "    - matchers: ['owner=\"ana\"']",
                        "      receiver: ana",
                        "receivers:",
                        "  - name: team",
                        "    webhook_configs: [{url: '" + team.url() + "', send_resolved: true}]",
                        "  - name: ana",
                        "    webhook_configs: [{url: '" + ana.url() + "', send_resolved: true}]",
                        ""));
        alertmanager =
                ExternalProgram.start(
                        "alertmanager",
                        List.of(
                                ALERTMANAGER,
                                "--config.file=" + amDir.resolve("alertmanager.yml"),
                                "--storage.path=" + amDir.resolve("data"),
                                "--web.listen-address=127.0.0.1:" + amPort,
                                "--cluster.listen-address="),
                        amDir,
                        am + "/-/ready",
                        Duration.ofSeconds(60));

        promPort = ExternalProgram.freePort();
        Path promDir = Files.createDirectories(tmp.resolve("prometheus"));
        Files.copy(
                Path.of("monitoring/prometheus/headgeo-rules.yml"),
                promDir.resolve("headgeo-rules.yml"));
        Files.writeString(
                promDir.resolve("prometheus.yml"),
                String.join(
                        "\n",
                        "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                        "rule_files: [headgeo-rules.yml]",
                        "alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:"
                                + amPort
                                + "']}]}]}",
                        "scrape_configs:",
                        "  - job_name: headgeo",
                        "    static_configs: [{targets: ['127.0.0.1:" + headgeoPort + "']}]",
                        ""));
        prometheus =
                ExternalProgram.start(
                        "prometheus",
                        List.of(
                                PROMETHEUS,
                                "--config.file=" + promDir.resolve("prometheus.yml"),
                                "--storage.tsdb.path=" + promDir.resolve("tsdb"),
                                "--web.listen-address=127.0.0.1:" + promPort,
                                // firing alerts sent at every evaluation (default: once a minute),
                                // so a test sees the rule's copy arrive
                                "--rules.alert.resend-delay=1s"),
                        promDir,
                        "http://127.0.0.1:" + promPort + "/-/ready",
                        Duration.ofSeconds(60));

        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        forwarder =
                new AlertForwarder(
                        client,
                        topics,
                        "lifecycle",
                        true,
                        new AlertForwarder.Target(
                                URI.create(am),
                                AlertDelivery.alertmanager,
                                EnumSet.of(
                                        AlertType.VERDICT_FLIP,
                                        AlertType.FLIP_FORECAST,
                                        AlertType.INCOMPLETE_CHECKPOINT),
                                null,
                                Duration.ofSeconds(30),
                                List.of("owner")));
        forwarding = new Thread(forwarder::run, "forward");
        forwarding.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (forwarder != null) {
            forwarder.stop();
            forwarding.join(10_000);
            forwarder.close();
        }
        for (AutoCloseable c :
                new AutoCloseable[] {prometheus, alertmanager, ana, team, app, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static void publish(List<dev.headgeo.avro.LayerGeometry> layers) {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (LayerPublisher p = new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            p.publish(layers);
        }
    }

    static void checkpoint(String run, long checkpoint, String fixture, Map<String, String> tags) {
        publish(LayerRecords.split(Golden.dump(fixture), run, checkpoint, "m", null, tags));
    }

    /** Alertmanager's alerts (active, silenced and inhibited; resolved ones drop out). */
    static List<JsonNode> alerts() throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(am + "/api/v2/alerts")).build(),
                        HttpResponse.BodyHandlers.ofString());
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(r.body()).forEach(out::add);
        return out;
    }

    static List<JsonNode> alerts(String alertname, String run) throws Exception {
        return alerts().stream()
                .filter(
                        a ->
                                a.get("labels").path("alertname").asText().equals(alertname)
                                        && a.get("labels").path("run_id").asText().equals(run))
                .toList();
    }

    /** Waits for {@code done} on Alertmanager's alerts; returns how long it took. */
    static Duration await(String what, Predicate<List<JsonNode>> done, Duration patience)
            throws Exception {
        long start = System.nanoTime();
        long deadline = start + patience.toNanos();
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            last = alerts();
            if (done.test(last)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "Alertmanager never showed "
                        + what
                        + " within "
                        + patience.toSeconds()
                        + " s; it has "
                        + last
                        + "\nprometheus: "
                        + prometheus
                                .output()
                                .lines()
                                .filter(l -> l.contains("level=error") || l.contains("level=warn"))
                                .toList());
    }

    static Predicate<List<JsonNode>> has(String alertname, String run, String key, String value) {
        return all ->
                all.stream()
                        .anyMatch(
                                a ->
                                        a.get("labels").path("alertname").asText().equals(alertname)
                                                && a.get("labels")
                                                        .path("run_id")
                                                        .asText()
                                                        .equals(run)
                                                && a.get("labels")
                                                        .path(key)
                                                        .asText()
                                                        .equals(value));
    }

    static Predicate<List<JsonNode>> gone(String alertname, String run) {
        return all ->
                all.stream()
                        .noneMatch(
                                a ->
                                        a.get("labels").path("alertname").asText().equals(alertname)
                                                && a.get("labels")
                                                        .path("run_id")
                                                        .asText()
                                                        .equals(run));
    }

    /**
     * The webhook notifications a receiver got, as (status, alertname, run_id, severity) per alert
     * in them.
     */
    static List<String> notified(Receiver r) throws Exception {
        List<String> out = new ArrayList<>();
        for (String body : r.bodies()) {
            for (JsonNode a : Json.MAPPER.readTree(body).path("alerts")) {
                JsonNode l = a.get("labels");
                out.add(
                        a.get("status").asText()
                                + " "
                                + l.path("alertname").asText()
                                + " "
                                + l.path("run_id").asText()
                                + " "
                                + l.path("severity").asText());
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void aRejectedRunThatRecoversResolvesAndTheRecoveryIsInfoOnceFromBothPaths() throws Exception {
        checkpoint("rec-run", 100, "rejected_12x12x64", OWNED_BY_ANA);
        await(
                "the rejected run",
                has("HeadgeoHypothesisRejected", "rec-run", "owner", "ana"),
                Duration.ofSeconds(60));
        // notified before it ends: Alertmanager sends no resolution for a group it never notified
        awaitNotified(ana, "firing HeadgeoHypothesisRejected rec-run warning");

        checkpoint("rec-run", 200, "supported_12x12x64", OWNED_BY_ANA);
        Duration resolved =
                await(
                        "the rejection resolved",
                        gone("HeadgeoHypothesisRejected", "rec-run"),
                        RESOLVES_WITHIN);
        System.out.println(
                "rejected state resolved "
                        + resolved.toMillis()
                        + " ms after the recovering checkpoint was published");

        // the recovery flip: forward sends it at once, the rule within seconds; one alert
        await(
                "the recovery",
                has("HeadgeoVerdictFlip", "rec-run", "direction", "better"),
                Duration.ofSeconds(60));
        awaitRuleFiring("HeadgeoVerdictFlip", "rec-run");
        List<JsonNode> flips = alerts("HeadgeoVerdictFlip", "rec-run");
        assertThat(flips).hasSize(1);
        assertThat(Json.MAPPER.convertValue(flips.get(0).get("labels"), Map.class))
                .isEqualTo(
                        Map.of(
                                "alertname",
                                "HeadgeoVerdictFlip",
                                "run_id",
                                "rec-run",
                                "direction",
                                "better",
                                "severity",
                                "info",
                                "owner",
                                "ana"));
        // the owner's receiver heard the rejection, its end and the recovery; the team's receiver
        // none of it
        awaitNotified(ana, "resolved HeadgeoHypothesisRejected rec-run warning");
        awaitNotified(ana, "firing HeadgeoVerdictFlip rec-run info");
        assertThat(notified(team)).noneMatch(n -> n.contains("rec-run"));
    }

    @Test
    @Order(2)
    void aWithdrawnForecastResolvesAndEachConditionIsOneAlert() throws Exception {
        double[] rising = {0.041, 0.052, 0.063, 0.074};
        for (int i = 0; i < rising.length; i++) {
            publish(ExactResidual.layers("fc-run", 100L * (i + 1), rising[i]));
        }
        await(
                "the forecast",
                has("HeadgeoFlipForecast", "fc-run", "severity", "warning"),
                Duration.ofSeconds(60));
        awaitRuleFiring("HeadgeoFlipForecast", "fc-run");
        assertThat(alerts("HeadgeoFlipForecast", "fc-run"))
                .as("forward's and the rule's forecast, one alert")
                .hasSize(1);
        assertOneAlertPerCondition();
        awaitNotified(team, "firing HeadgeoFlipForecast fc-run warning");

        // the trend turns: only 6 of 10 pairwise slopes agree, the forecast is withdrawn
        publish(ExactResidual.layers("fc-run", 500, 0.02));
        Duration resolved =
                await(
                        "the forecast resolved",
                        gone("HeadgeoFlipForecast", "fc-run"),
                        RESOLVES_WITHIN);
        System.out.println(
                "withdrawn forecast resolved "
                        + resolved.toMillis()
                        + " ms after the checkpoint was published");
        awaitNotified(team, "resolved HeadgeoFlipForecast fc-run warning");
    }

    /**
     * The two_layers dump (2 layers x 2 heads) with these per-layer entropies and measured max
     * logits.
     */
    static List<dev.headgeo.avro.LayerGeometry> withEntropies(
            String run, long checkpoint, double[][] entropy, double[][] logits) {
        List<dev.headgeo.avro.LayerGeometry> out =
                LayerRecords.split(Golden.dump("two_layers"), run, checkpoint, "m", null);
        for (dev.headgeo.avro.LayerGeometry l : out) {
            l.setMeanAttentionEntropyPerHead(
                    List.of(entropy[l.getLayer()][0], entropy[l.getLayer()][1]));
            l.setMaxAttentionLogitPerHead(
                    List.of(logits[l.getLayer()][0], logits[l.getLayer()][1]));
            l.setProbeTokens(128);
        }
        return out;
    }

    @Test
    @Order(3)
    void anEntropyCollapseIsOneCriticalAlertFromBothPathsAndResolvesWhenTheEntropiesRecover()
            throws Exception {
        publish(
                withEntropies(
                        "col-run",
                        100,
                        new double[][] {{3.5, 3.6}, {3.4, 3.5}},
                        new double[][] {{2, 2}, {2, 2}}));
        publish(
                withEntropies(
                        "col-run",
                        200,
                        new double[][] {{0.01, 0.02}, {3.4, 3.5}},
                        new double[][] {{900, 4000}, {2, 2}}));
        await(
                "the collapse",
                has("HeadgeoEntropyCollapse", "col-run", "severity", "critical"),
                Duration.ofSeconds(60));
        awaitRuleFiring("HeadgeoEntropyCollapse", "col-run");
        assertThat(alerts("HeadgeoEntropyCollapse", "col-run"))
                .as("forward's and the rule's collapse, one alert")
                .hasSize(1);
        assertOneAlertPerCondition();
        awaitNotified(team, "firing HeadgeoEntropyCollapse col-run critical");

        publish(
                withEntropies(
                        "col-run",
                        300,
                        new double[][] {{2.5, 2.6}, {3.4, 3.5}},
                        new double[][] {{20, 20}, {2, 2}}));
        Duration resolved =
                await(
                        "the collapse resolved",
                        gone("HeadgeoEntropyCollapse", "col-run"),
                        RESOLVES_WITHIN);
        System.out.println(
                "entropy collapse resolved "
                        + resolved.toMillis()
                        + " ms after the recovering checkpoint was published");
        awaitNotified(team, "resolved HeadgeoEntropyCollapse col-run critical");
    }

    @Test
    @Order(4)
    void anIncompleteSpellResolvesWhenALaterCheckpointCompletes() throws Exception {
        publish(
                LayerRecords.split(Golden.dump("supported_12x12x64"), "inc-run", 100, "m", null)
                        .subList(0, 5));
        await(
                "the incomplete checkpoint",
                has("HeadgeoIncompleteCheckpoint", "inc-run", "severity", "warning"),
                Duration.ofSeconds(60));
        awaitRuleFiring("HeadgeoIncompleteCheckpoint", "inc-run");
        assertThat(alerts("HeadgeoIncompleteCheckpoint", "inc-run")).hasSize(1);
        awaitNotified(team, "firing HeadgeoIncompleteCheckpoint inc-run warning");

        checkpoint("inc-run", 200, "supported_12x12x64", Map.of());
        Duration resolved =
                await(
                        "the incomplete spell resolved",
                        gone("HeadgeoIncompleteCheckpoint", "inc-run"),
                        RESOLVES_WITHIN);
        System.out.println(
                "incomplete spell resolved "
                        + resolved.toMillis()
                        + " ms after the complete checkpoint was published");
        awaitNotified(team, "resolved HeadgeoIncompleteCheckpoint inc-run warning");
        assertOneAlertPerCondition();
    }

    @Test
    @Order(5)
    void aRunSilencedWithAmtoolStaysSilent() throws Exception {
        Process silence =
                new ProcessBuilder(
                                AMTOOL,
                                "silence",
                                "add",
                                "run_id=silenced-run",
                                "--alertmanager.url=" + am,
                                "--author=test",
                                "--comment=known bad run",
                                "--duration=1h")
                        .redirectErrorStream(true)
                        .start();
        String id = new String(silence.getInputStream().readAllBytes()).strip();
        assertThat(silence.waitFor()).as(id).isZero();

        checkpoint("silenced-run", 100, "supported_12x12x64", OWNED_BY_ANA);
        checkpoint("silenced-run", 200, "rejected_12x12x64", OWNED_BY_ANA);
        await(
                "the silenced run's alerts",
                all ->
                        present(all, "HeadgeoVerdictFlip", "silenced-run")
                                && present(all, "HeadgeoHypothesisRejected", "silenced-run"),
                Duration.ofSeconds(60));
        for (JsonNode a :
                alerts().stream()
                        .filter(a -> a.get("labels").path("run_id").asText().equals("silenced-run"))
                        .toList()) {
            assertThat(a.get("status").get("state").asText())
                    .as(a.toString())
                    .isEqualTo("suppressed");
            assertThat(a.get("status").get("silencedBy"))
                    .extracting(JsonNode::asText)
                    .containsExactly(id);
        }
        // a run that is not silenced, after it, still gets through: the silenced one had its chance
        checkpoint("loud-run", 100, "rejected_12x12x64", OWNED_BY_ANA);
        awaitNotified(ana, "firing HeadgeoHypothesisRejected loud-run warning");
        assertThat(notified(ana)).noneMatch(n -> n.contains("silenced-run"));
        assertThat(notified(team)).noneMatch(n -> n.contains("silenced-run"));
    }

    @Test
    @Order(6)
    void aForwarderKilledWithKillNineLosesNoAlertOnAnyPartition() throws Exception {
        String topic = "killed.alerts";
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(client)) {
            admin.createTopics(
                            List.of(
                                    new org.apache.kafka.clients.admin.NewTopic(
                                            topic, 3, (short) 1)))
                    .all()
                    .get();
        }
        HeadgeoTopics topics = HeadgeoTopics.builder().alerts(topic).build();
        List<String> runs =
                List.of(
                        ForwarderIT.runOnPartition("killed", 0, 3),
                        ForwarderIT.runOnPartition("killed", 1, 3),
                        ForwarderIT.runOnPartition("killed", 2, 3));
        Process first = forwardProcess(topic, "killed-1");
        try {
            dev.headgeo.testing.LogFiles.awaitText(
                    tmp.resolve("forward-killed-1.log"),
                    "(new, committed now)",
                    Duration.ofSeconds(60),
                    first);
            flip(topics, runs.get(0), 100);
            await(
                    "the first flip",
                    has("HeadgeoVerdictFlip", runs.get(0), "severity", "critical"),
                    Duration.ofSeconds(60));
        } finally {
            first.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        // raised while no forwarder runs, on every partition, two of them never delivered from
        for (String run : runs) {
            flip(topics, run, 200);
        }
        Process second = forwardProcess(topic, "killed-2");
        try {
            await(
                    "every run's flip at 200",
                    all ->
                            runs.stream()
                                    .allMatch(
                                            r ->
                                                    all.stream()
                                                            .anyMatch(
                                                                    a ->
                                                                            a.get("labels")
                                                                                            .path(
                                                                                                    "run_id")
                                                                                            .asText()
                                                                                            .equals(
                                                                                                    r)
                                                                                    && a.get(
                                                                                                    "annotations")
                                                                                            .path(
                                                                                                    "checkpoint")
                                                                                            .asText()
                                                                                            .equals(
                                                                                                    "200"))),
                    Duration.ofSeconds(60));
        } finally {
            second.destroy();
            second.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (String run : runs) {
            List<JsonNode> flips = alerts("HeadgeoVerdictFlip", run);
            assertThat(flips).as(run).hasSize(1);
            assertThat(flips.get(0).get("annotations").get("checkpoint").asText())
                    .as(run + ": the flip raised while forward was down")
                    .isEqualTo("200");
        }
    }

    static void flip(HeadgeoTopics topics, String run, long checkpoint) {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.producer.KafkaProducer<String, dev.headgeo.avro.Alert>
                producer =
                        new org.apache.kafka.clients.producer.KafkaProducer<>(
                                client,
                                topics.alerts().keySerde().serializer(),
                                topics.alerts().valueSerde().serializer())) {
            producer.send(
                    new org.apache.kafka.clients.producer.ProducerRecord<>(
                            topics.alerts().name(),
                            run,
                            dev.headgeo.avro.Alert.newBuilder()
                                    .setType(AlertType.VERDICT_FLIP)
                                    .setRunId(run)
                                    .setCheckpoint(checkpoint)
                                    .setMessage("flip of " + run + " at " + checkpoint)
                                    .setEarlierVerdict(dev.headgeo.avro.Verdict.SUPPORTED)
                                    .setLaterVerdict(dev.headgeo.avro.Verdict.REJECTED)
                                    .setEarlierCheckpoint(checkpoint - 100)
                                    .setLaterCheckpoint(checkpoint)
                                    .setSeverity(dev.headgeo.avro.Severity.CRITICAL)
                                    .setRaisedAt(java.time.Instant.now())
                                    .build()));
            producer.flush();
        }
    }

    /**
     * `headgeo forward --format alertmanager` as its own process, so that it can be killed with
     * kill -9.
     */
    static Process forwardProcess(String topic, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.headgeo.cli.Main",
                        "forward",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--to",
                        am,
                        "--format",
                        "alertmanager",
                        "--group",
                        "killed-group",
                        "--alerts-topic",
                        topic)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("forward-" + name + ".log").toFile())
                .start();
    }

    static boolean present(List<JsonNode> all, String alertname, String run) {
        return all.stream()
                .anyMatch(
                        a ->
                                a.get("labels").path("alertname").asText().equals(alertname)
                                        && a.get("labels").path("run_id").asText().equals(run));
    }

    /** No run's alert carries instance or job, and no (alertname, run_id) has two label sets. */
    static void assertOneAlertPerCondition() throws Exception {
        Set<String> seen = new HashSet<>();
        for (JsonNode a : alerts()) {
            JsonNode l = a.get("labels");
            if (l.has("run_id")) {
                assertThat(l.has("instance") || l.has("job"))
                        .as("a run's alert split by instance: " + l)
                        .isFalse();
                String condition =
                        l.path("alertname").asText()
                                + " "
                                + l.path("run_id").asText()
                                + " "
                                + l.path("direction").asText();
                assertThat(seen.add(condition))
                        .as("one alert for " + condition + " in " + alerts())
                        .isTrue();
            }
        }
    }

    /**
     * Waits until Prometheus' own rule fires for the run and Prometheus has sent Alertmanager a
     * batch after that, so that both paths have fed Alertmanager.
     */
    static void awaitRuleFiring(String alertname, String run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double sentAtFiring = -1;
        while (System.nanoTime() < deadline) {
            if (sentAtFiring < 0) {
                for (JsonNode a : prom("alerts").path("data").path("alerts")) {
                    if (a.get("labels").path("alertname").asText().equals(alertname)
                            && a.get("labels").path("run_id").asText().equals(run)
                            && a.path("state").asText().equals("firing")) {
                        sentAtFiring = notificationsSent();
                    }
                }
            } else if (notificationsSent() > sentAtFiring) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "the rule "
                        + alertname
                        + " never fired for "
                        + run
                        + " and was sent to Alertmanager; Prometheus has "
                        + prom("alerts").path("data")
                        + "; rules "
                        + prom("rules")
                                .path("data")
                                .toString()
                                .replaceAll("\"query\":\"[^\"]*\"", "")
                        + "; series "
                        + prom("query?query="
                                        + java.net.URLEncoder.encode(
                                                "{run_id=\"" + run + "\"}",
                                                java.nio.charset.StandardCharsets.UTF_8))
                                .path("data")
                                .path("result"));
    }

    /** Prometheus' own count of alerts sent to Alertmanager, from its /metrics. */
    static double notificationsSent() throws Exception {
        String metrics =
                HTTP.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + promPort
                                                                + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        return metrics.lines()
                .filter(l -> l.startsWith("prometheus_notifications_sent_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static JsonNode prom(String path) throws Exception {
        return Json.MAPPER.readTree(
                HTTP.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + promPort
                                                                + "/api/v1/"
                                                                + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    static void awaitNotified(Receiver r, String notification) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (notified(r).contains(notification)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "the receiver never got '" + notification + "'; it got " + notified(r));
    }
}
