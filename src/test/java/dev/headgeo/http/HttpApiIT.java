package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of two instances sharing the partitions, on the in-JVM broker: every endpoint's JSON
 * against the offline analysis of the same dumps, asked of the instance that does not own the run
 * as well as of the one that does.
 */
class HttpApiIT {
    static final String TOKEN = "s3cret-token";
    static final String APP = "headgeo-http-it";

    /** Run → dumps of its checkpoints 100, 200, … */
    static final Map<String, List<String>> RUNS = new LinkedHashMap<>();

    static final Map<String, String> GAMMA_TAGS = Map.of("owner", "ana", "lr", "3e-4");

    /** A run with one open checkpoint and nothing closed. */
    static final String GATHERING = "omega-gathering";

    static {
        RUNS.put("alpha", List.of("supported_12x12x64", "rejected_12x12x64"));
        RUNS.put("beta", List.of("partial_12x12x64"));
        RUNS.put("gamma", List.of("two_layers", "ragged_ranks"));
        RUNS.put("delta", List.of("zero_heads"));
        RUNS.put("weird run/1+x", List.of("one_head"));
        RUNS.put("epsilon", List.of("constant_entropy"));
        RUNS.put("zeta", List.of("identical_layers"));
    }

    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static ProcessorApp first;
    static ProcessorApp second;
    static HttpClientForTests a;
    static HttpClientForTests b;
    static HttpClientForTests notReady;

    static ProcessorApp start(String name) {
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config;
        try {
            config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            APP,
                            Files.createDirectories(tmp.resolve(name)).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ProcessorApp.start(
                config,
                topics,
                StreamSettings.defaults(),
                true,
                new HttpAddress("127.0.0.1", 0),
                TOKEN);
    }

    @BeforeAll
    static void startTwoInstances() throws Exception {
        kafka = EmbeddedKafka.start();
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            client.createTopics(List.of(new NewTopic(HeadgeoTopics.DEFAULT_LAYERS, 3, (short) 1)))
                    .all()
                    .get();
        }
        first = start("first");
        second = start("second");
        assertThat(first.awaitRunning(Duration.ofSeconds(60))).isTrue();
        assertThat(second.awaitRunning(Duration.ofSeconds(60))).isTrue();
        a = new HttpClientForTests(port(first), TOKEN);
        b = new HttpClientForTests(port(second), TOKEN);

        List<LayerGeometry> layers = new ArrayList<>();
        RUNS.forEach(
                (run, dumps) -> {
                    for (int i = 0; i < dumps.size(); i++) {
                        layers.addAll(
                                LayerRecords.split(
                                        Golden.dump(dumps.get(i)),
                                        run,
                                        100L * (i + 1),
                                        "m",
                                        null,
                                        run.equals("gamma") ? GAMMA_TAGS : Map.of()));
                    }
                });
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (LayerPublisher publisher =
                new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            publisher.publish(layers);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode runs = a.json("/api/runs").get("runs");
            int reported = 0;
            for (JsonNode r : runs) {
                reported += r.get("checkpoints").asInt();
            }
            if (reported == RUNS.values().stream().mapToInt(List::size).sum()) {
                publishOpenCheckpoints(client);
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "not every checkpoint was reported within 60 s: " + a.json("/api/runs"));
    }

    /**
     * Checkpoints still arriving: 5 of alpha's 12 layers at 300, 3 of a run that has no closed
     * checkpoint yet.
     */
    static void publishOpenCheckpoints(Properties client) throws Exception {
        List<LayerGeometry> open =
                new ArrayList<>(
                        LayerRecords.split(
                                        Golden.dump("supported_12x12x64"), "alpha", 300, "m", null)
                                .subList(0, 5));
        open.addAll(
                LayerRecords.split(Golden.dump("supported_12x12x64"), GATHERING, 50, "m", null)
                        .subList(4, 7));
        try (LayerPublisher publisher =
                new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            publisher.publish(open);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            // every layer gathered, not only the first: tests compare the two instances' lists,
            // which must not change meanwhile
            if (receivedLayers(GATHERING) == 3 && receivedLayers("alpha") == 5) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the open checkpoints were not seen within 60 s: " + a.json(path("alpha")));
    }

    /**
     * Layers received of the run's one open checkpoint, or -1 while the run is not known or has
     * none or several.
     */
    static int receivedLayers(String run) throws Exception {
        HttpClientForTests.Response answer = a.get(path(run));
        if (answer.status() != 200) {
            return -1;
        }
        JsonNode open = Json.MAPPER.readTree(answer.body()).get("open_checkpoints");
        return open.size() == 1 ? open.get(0).get("received_layers").asInt() : -1;
    }

    static int port(ProcessorApp app) {
        return Integer.parseInt(app.httpUrl().replaceAll(".*:(\\d+)/$", "$1"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {second, first, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    static String path(String run) {
        return "/api/runs/" + URLEncoder.encode(run, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The offline report as it reads on the wire (JSON text parsed back, so numbers have the
     * parser's node types).
     */
    static ObjectNode offline(String run, int index) throws java.io.IOException {
        Dump d = Golden.dump(RUNS.get(run).get(index));
        return (ObjectNode)
                Json.MAPPER.readTree(
                        AvroJson.toJsonLine(
                                ReportMapper.complete(
                                        new ReportMapper.Origin(
                                                run, 100L * (index + 1), null, null, null),
                                        SaScheduleAnalyzer.analyze(
                                                d.spectra(), EnumSet.allOf(Anchor.class)),
                                        Anchor.LAST)));
    }

    /** The instance that does not own {@code run}. */
    static HttpClientForTests nonOwner(String run) {
        KeyQueryMetadata md =
                first.service()
                        .streams()
                        .queryMetadataForKey(
                                HeadgeoTopology.RUN_STATE_STORE, run, new StringSerializer());
        return md.activeHost().port() == port(first) ? b : a;
    }

    @Test
    void bothInstancesOwnRunsAndEitherListsEveryRunSorted() throws Exception {
        assertThat(first.service().activeTasks()).isPositive();
        assertThat(second.service().activeTasks()).isPositive();
        JsonNode fromA = a.json("/api/runs");
        JsonNode fromB = b.json("/api/runs");
        assertThat(fromA).isEqualTo(fromB);
        List<String> ids = new ArrayList<>();
        fromA.get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
        List<String> expectedIds = new ArrayList<>(RUNS.keySet());
        expectedIds.add(GATHERING);
        assertThat(ids).containsExactlyElementsOf(expectedIds.stream().sorted().toList());
        long ownedByFirst = RUNS.keySet().stream().filter(r -> nonOwner(r) == b).count();
        assertThat(ownedByFirst)
                .as("runs owned by the first instance")
                .isBetween(1L, (long) RUNS.size() - 1);

        for (JsonNode summary : fromA.get("runs")) {
            String run = summary.get("run_id").asText();
            if (run.equals(GATHERING)) {
                assertThat(summary.get("last_checkpoint").isNull()).isTrue();
                assertThat(summary.get("verdict").isNull()).isTrue();
                assertThat(summary.get("open_checkpoints")).hasSize(1);
                assertThat(summary.get("open_checkpoints").get(0).get("received_layers").asInt())
                        .isEqualTo(3);
                continue;
            }
            assertThat(summary.get("open_checkpoints"))
                    .as(run)
                    .hasSize(run.equals("alpha") ? 1 : 0);
            assertThat(summary.get("model").asText()).isEqualTo("m");
            assertThat(Json.MAPPER.convertValue(summary.get("tags"), Map.class))
                    .isEqualTo(run.equals("gamma") ? GAMMA_TAGS : Map.of());
            int last = RUNS.get(run).size() - 1;
            ObjectNode expected = offline(run, last);
            assertThat(summary.get("last_checkpoint").asLong()).isEqualTo(100L * (last + 1));
            assertThat(summary.get("last_status").asText()).isEqualTo("COMPLETE");
            assertThat(summary.get("primary_anchor").asText()).isEqualTo("LAST");
            assertThat(summary.get("verdict")).isEqualTo(expected.get("verdict"));
            assertThat(summary.get("checkpoints").asInt()).isEqualTo(last + 1);
            assertThat(summary.get("last_report_at").asLong()).isPositive();
            for (JsonNode fit : expected.get("fits")) {
                String anchor = fit.get("anchor").asText();
                assertThat(summary.get("verdicts").get(anchor)).isEqualTo(fit.get("verdict"));
                assertThat(summary.get("mean_residuals").get(anchor))
                        .isEqualTo(fit.get("mean_residual"));
            }
        }
        assertThat(fromA.get("runs").get(0).get("flips").asInt())
                .as("alpha flips from SUPPORTED to REJECTED")
                .isEqualTo(1);
    }

    @Test
    void aRunAndItsCheckpointsComeFromEitherInstanceWithTheReportsNumbers() throws Exception {
        for (String run : RUNS.keySet()) {
            JsonNode detail = nonOwner(run).json(path(run));
            assertThat(detail)
                    .isEqualTo(nonOwner(run) == a ? b.json(path(run)) : a.json(path(run)));
            assertThat(detail.get("run_id").asText()).isEqualTo(run);
            assertThat(detail.get("checkpoints")).hasSize(RUNS.get(run).size());
            for (int i = 0; i < RUNS.get(run).size(); i++) {
                ObjectNode expected = offline(run, i);
                JsonNode summary = detail.get("checkpoints").get(i);
                assertThat(summary.get("checkpoint").asLong()).isEqualTo(100L * (i + 1));
                assertThat(summary.get("status").asText()).isEqualTo("COMPLETE");
                assertThat(summary.get("verdict")).isEqualTo(expected.get("verdict"));
                assertThat(summary.get("missing_layers")).isEmpty();
                assertThat(summary.get("shape_invariance_mean"))
                        .isEqualTo(expected.get("shape_invariance").get("mean"));
                assertThat(summary.get("corr_opnorm_entropy"))
                        .isEqualTo(expected.get("corr_opnorm_entropy"));
                assertThat(summary.get("completed_at").asLong()).isPositive();
                for (int f = 0; f < 3; f++) {
                    JsonNode fit = summary.get("fits").get(f);
                    JsonNode want = expected.get("fits").get(f);
                    assertThat(fit.get("anchor")).isEqualTo(want.get("anchor"));
                    assertThat(fit.get("anchor_layer")).isEqualTo(want.get("anchor_layer"));
                    assertThat(fit.get("mean_residual")).isEqualTo(want.get("mean_residual"));
                    assertThat(fit.get("verdict")).isEqualTo(want.get("verdict"));
                    List<JsonNode> layers = new ArrayList<>();
                    want.get("layers").forEach(l -> layers.add(l.get("mean_residual")));
                    assertThat(fit.get("layer_mean_residuals")).containsExactlyElementsOf(layers);
                }
                JsonNode report = nonOwner(run).json(path(run) + "/checkpoints/" + (100 * (i + 1)));
                assertThat(ReportJson.withoutTimes(report))
                        .isEqualTo(ReportJson.withoutTimes(expected));
            }
        }
        JsonNode alpha = b.json(path("alpha"));
        assertThat(alpha.get("alerts")).hasSize(1);
        assertThat(alpha.get("alerts").get(0).get("type").asText()).isEqualTo("VERDICT_FLIP");
        assertThat(a.json("/api/alerts").get("alerts")).hasSize(1);
        assertThat(a.json("/api/alerts").get("next_before").isNull()).isTrue();
        assertThat(a.json("/api/alerts").get("missing_instances")).isEmpty();
        assertThat(b.json("/api/alerts")).isEqualTo(a.json("/api/alerts"));
        assertThat(b.json("/api/alerts?run=alpha&limit=1").get("alerts"))
                .isEqualTo(a.json("/api/alerts").get("alerts"));
        assertThat(b.json("/api/alerts?run=beta").get("alerts")).isEmpty();
        assertThat(a.get("/api/alerts?limit=0").status()).isEqualTo(400);
        assertThat(a.get("/api/alerts?limit=1001").json().get("error").asText()).contains("limit");
        assertThat(a.get("/api/alerts?before=xyz").status()).isEqualTo(400);
    }

    @Test
    void unknownThingsAre404OrBadRequestsWithAnErrorObject() throws Exception {
        for (HttpClientForTests c : List.of(a, b)) {
            HttpClientForTests.Response unknownRun = c.get(path("no-such-run"));
            assertThat(unknownRun.status()).isEqualTo(404);
            assertThat(unknownRun.json().get("error").asText()).contains("no-such-run");
            assertThat(c.get(path("alpha") + "/checkpoints/999").status()).isEqualTo(404);
            assertThat(c.get(path("alpha") + "/checkpoints/abc").status()).isEqualTo(400);
            assertThat(c.get("/api/nothing").status()).isEqualTo(404);
        }
    }

    @Test
    void theTokenGuardsEverythingButHealthAndReadiness() throws Exception {
        HttpClientForTests anonymous = new HttpClientForTests(port(first), null);
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/health").json().get("status").asText()).isEqualTo("UP");
        assertThat(anonymous.get("/ready").json().get("streams_state").asText())
                .isEqualTo("RUNNING");
        for (String p : List.of("/api/runs", "/metrics", "/", path("alpha"))) {
            HttpClientForTests.Response r = anonymous.get(p);
            assertThat(r.status()).as(p).isEqualTo(401);
            assertThat(r.json().get("error").asText()).contains("token");
        }
        assertThat(new HttpClientForTests(port(first), "wrong").get("/api/runs").status())
                .isEqualTo(401);
        assertThat(anonymous.get("/api/runs?token=" + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void readyIs503UntilTheStreamsRunAnd200After() throws Exception {
        try (ApiServer alone =
                ApiServer.start(
                        new HttpAddress("127.0.0.1", 0),
                        null,
                        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT))) {
            HttpClientForTests c = new HttpClientForTests(alone.port(), null);
            HttpClientForTests.Response r = c.get("/ready");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("status").asText()).isEqualTo("NOT_READY");
            assertThat(r.json().get("streams_state").asText()).isEqualTo("CREATED");
            assertThat(c.get("/api/runs").status()).isEqualTo(503);
            assertThat(c.get("/metrics").body()).contains("headgeo_ready 0.0");
        }
        HttpClientForTests.Response ready = a.get("/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().toString())
                .isEqualTo("{\"status\":\"READY\",\"streams_state\":\"RUNNING\"}");
    }

    @Test
    void eachInstanceExportsTheSeriesOfTheRunsItOwns() throws Exception {
        String metricsA = a.get("/metrics").body();
        String metricsB = b.get("/metrics").body();
        for (String run : RUNS.keySet()) {
            String series = "headgeo_run_last_checkpoint{run_id=\"" + run + "\"}";
            boolean ownedByA = nonOwner(run) == b;
            assertThat(metricsA.contains(series))
                    .as(run + " on the first instance")
                    .isEqualTo(ownedByA);
            assertThat(metricsB.contains(series))
                    .as(run + " on the second instance")
                    .isEqualTo(!ownedByA);
        }
        String all = metricsA + metricsB;
        assertThat(all)
                .contains(
                        "headgeo_run_verdict{anchor=\"LAST\",run_id=\"alpha\"} 2.0",
                        "headgeo_run_verdict_flips_total{direction=\"worse\",run_id=\"alpha\"} 1.0",
                        "headgeo_reports_total{status=\"COMPLETE\"}",
                        "headgeo_ready 1.0",
                        "headgeo_analysis_seconds_count",
                        "headgeo_report_delay_seconds_count",
                        "jvm_memory_used_bytes",
                        "kafka_stream");
    }

    @Test
    void openCheckpointsAnswerFromEitherInstanceAndARunWithOnlyThoseToo() throws Exception {
        for (HttpClientForTests c : List.of(a, b)) {
            JsonNode open = c.json(path("alpha")).get("open_checkpoints");
            assertThat(open).hasSize(1);
            assertThat(open.get(0).get("checkpoint").asLong()).isEqualTo(300);
            assertThat(open.get(0).get("received_layers").asInt()).isEqualTo(5);
            assertThat(open.get(0).get("num_layers").asInt()).isEqualTo(12);
            assertThat(open.get(0).get("missing_layers"))
                    .extracting(JsonNode::asInt)
                    .containsExactly(5, 6, 7, 8, 9, 10, 11);
            assertThat(open.get(0).get("last_layer_at").asLong())
                    .isGreaterThanOrEqualTo(open.get(0).get("first_layer_at").asLong());

            JsonNode gathering = c.json(path(GATHERING));
            assertThat(gathering.get("checkpoints")).isEmpty();
            assertThat(gathering.get("open_checkpoints").get(0).get("missing_layers"))
                    .extracting(JsonNode::asInt)
                    .containsExactly(0, 1, 2, 3, 7, 8, 9, 10, 11);
        }
        assertThat(a.json(path("gamma")).get("model").asText()).isEqualTo("m");
        assertThat(Json.MAPPER.convertValue(b.json(path("gamma")).get("tags"), Map.class))
                .isEqualTo(GAMMA_TAGS);
    }

    @Test
    void theKeptHistoryExportsAsCsvAndJsonLinesFromEitherInstance() throws Exception {
        for (String run : List.of("alpha", "weird run/1+x")) {
            for (HttpClientForTests c : List.of(a, b)) {
                HttpClientForTests.Response csv = c.get(path(run) + "/export?format=csv");
                assertThat(csv.status()).as(csv.body()).isEqualTo(200);
                List<String> lines = csv.body().lines().toList();
                assertThat(lines.get(0))
                        .startsWith(
                                "checkpoint,status,verdict,mean_residual_last,mean_residual_middle,mean_residual_best,"
                                    + "shape_invariance_mean,corr_opnorm_entropy");
                assertThat(lines).hasSize(1 + RUNS.get(run).size());
                List<String> header = List.of(lines.get(0).split(",", -1));
                for (int i = 0; i < RUNS.get(run).size(); i++) {
                    ObjectNode expected = offline(run, i);
                    List<String> row = List.of(lines.get(i + 1).split(",", -1));
                    assertThat(row).hasSameSizeAs(header);
                    assertThat(row.get(0)).isEqualTo(Long.toString(100L * (i + 1)));
                    assertThat(row.get(2)).isEqualTo(expected.get("verdict").asText());
                    for (int f = 0; f < 3; f++) {
                        // full precision: the cell reads back as the report's double, bit for bit
                        assertThat(Double.parseDouble(row.get(3 + f)))
                                .isEqualTo(
                                        expected.get("fits")
                                                .get(f)
                                                .get("mean_residual")
                                                .asDouble());
                    }
                    JsonNode mean = expected.get("shape_invariance").get("mean");
                    assertThat(row.get(6))
                            .isEqualTo(mean.isNull() ? "" : Double.toString(mean.asDouble()));
                }

                HttpClientForTests.Response jsonl = c.get(path(run) + "/export?format=jsonl");
                assertThat(jsonl.status()).isEqualTo(200);
                List<String> reports = jsonl.body().lines().toList();
                assertThat(reports).hasSize(RUNS.get(run).size());
                for (int i = 0; i < reports.size(); i++) {
                    assertThat(ReportJson.withoutTimes(Json.MAPPER.readTree(reports.get(i))))
                            .isEqualTo(ReportJson.withoutTimes(offline(run, i)));
                }
            }
        }
        assertThat(a.get(path("alpha") + "/export?format=xml").status()).isEqualTo(400);
        assertThat(b.get(path("no-such-run") + "/export").status()).isEqualTo(404);
    }
}
