package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real Prometheus scrapes a running processor (with the bearer token in its scrape
 * config), loads the shipped rules, and sees a run's verdict flip: the per-run series have the
 * expected values and HeadgeoVerdictFlip fires with the run's run_id.
 */
class PrometheusIT {
    static final String PROMETHEUS = "/usr/bin/prometheus";
    static final String PROMTOOL = "/usr/bin/promtool";
    static final Path RULES = Path.of("monitoring/prometheus/headgeo-rules.yml");
    static final String TOKEN = "scrape-me";

    @TempDir Path tmp;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void promtoolAcceptsTheShippedRulesAndExampleConfig() throws Exception {
        assumeTrue(
                ExternalProgram.installed(PROMTOOL),
                "promtool is not installed (apt-get install prometheus)");
        for (List<String> check :
                List.of(
                        List.of(PROMTOOL, "check", "rules", RULES.toString()),
                        List.of(
                                PROMTOOL,
                                "check",
                                "config",
                                "monitoring/prometheus/prometheus.yml"),
                        List.of(
                                PROMTOOL,
                                "test",
                                "rules",
                                "monitoring/prometheus/headgeo-rules.test.yml"))) {
            Process p = new ProcessBuilder(check).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("SUCCESS");
        }
    }

    @Test
    void prometheusSeesTheRunsVerdictsAndFiresTheFlipAlert() throws Exception {
        assumeTrue(
                ExternalProgram.installed(PROMETHEUS),
                "prometheus is not installed (apt-get install prometheus)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-prom-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                    ProcessorApp.start(
                            config,
                            topics,
                            StreamSettings.defaults(),
                            true,
                            new HttpAddress("127.0.0.1", 0),
                            TOKEN)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                int headgeoPort = Integer.parseInt(app.httpUrl().replaceAll(".*:(\\d+)/$", "$1"));
                int promPort = ExternalProgram.freePort();
                Files.copy(RULES, tmp.resolve("headgeo-rules.yml"));
                Files.writeString(
                        tmp.resolve("prometheus.yml"),
                        String.join(
                                "\n",
                                "global:",
                                "  scrape_interval: 1s",
                                "  evaluation_interval: 1s",
                                "rule_files: [headgeo-rules.yml]",
                                "scrape_configs:",
                                "  - job_name: headgeo",
                                "    authorization: {type: Bearer, credentials: " + TOKEN + "}",
                                "    static_configs: [{targets: ['127.0.0.1:"
                                        + headgeoPort
                                        + "']}]",
                                ""));
                try (ExternalProgram prometheus =
                                ExternalProgram.start(
                                        "prometheus",
                                        List.of(
                                                PROMETHEUS,
                                                "--config.file=" + tmp.resolve("prometheus.yml"),
                                                "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                                                "--web.listen-address=127.0.0.1:" + promPort),
                                        tmp,
                                        "http://127.0.0.1:" + promPort + "/-/ready",
                                        Duration.ofSeconds(60));
                        RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                    String api = "http://127.0.0.1:" + promPort + "/api/v1/";
                    publish.checkpoint("flip-run", 100, "supported_12x12x64");
                    awaitQuery(
                            api,
                            "headgeo_run_verdict{run_id=\"flip-run\",anchor=\"LAST\"}",
                            r -> value(r) == 0.0,
                            prometheus);
                    publish.checkpoint("flip-run", 200, "rejected_12x12x64");
                    awaitQuery(
                            api,
                            "headgeo_run_verdict{run_id=\"flip-run\",anchor=\"LAST\"}",
                            r -> value(r) == 2.0,
                            prometheus);

                    assertThat(
                                    value(
                                            query(
                                                    api,
                                                    "headgeo_run_verdict{run_id=\"flip-run\",anchor=\"MIDDLE\"}")))
                            .isEqualTo(2.0);
                    assertThat(
                                    value(
                                            query(
                                                    api,
                                                    "headgeo_run_last_checkpoint{run_id=\"flip-run\"}")))
                            .isEqualTo(200.0);
                    assertThat(
                                    value(
                                            query(
                                                    api,
                                                    "headgeo_run_verdict_flips_total{run_id=\"flip-run\",direction=\"worse\"}")))
                            .isEqualTo(1.0);
                    assertThat(
                                    value(
                                            query(
                                                    api,
                                                    "headgeo_run_verdict_flips_total{run_id=\"flip-run\",direction=\"better\"}")))
                            .isEqualTo(0.0);
                    assertThat(value(query(api, "headgeo_ready"))).isEqualTo(1.0);
                    assertThat(value(query(api, "sum(headgeo_reports_total{status=\"COMPLETE\"})")))
                            .isEqualTo(2.0);

                    JsonNode flip = awaitAlert(api, "HeadgeoVerdictFlip", "flip-run", prometheus);
                    assertThat(flip.get("state").asText()).isEqualTo("firing");
                    assertThat(Json.MAPPER.convertValue(flip.get("labels"), Map.class))
                            .as("no instance or job: one alert per condition")
                            .isEqualTo(
                                    Map.of(
                                            "alertname",
                                            "HeadgeoVerdictFlip",
                                            "run_id",
                                            "flip-run",
                                            "direction",
                                            "worse",
                                            "severity",
                                            "critical"));
                    assertThat(flip.get("annotations").get("summary").asText())
                            .contains("flip-run");
                    assertThat(flip.get("annotations").get("description").asText())
                            .contains("flip-run", "200");
                    JsonNode rejected =
                            awaitAlert(api, "HeadgeoHypothesisRejected", "flip-run", prometheus);
                    assertThat(rejected.get("labels").get("anchor").asText()).isEqualTo("LAST");
                }
            }
        }
    }

    JsonNode query(String api, String promql) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                api
                                                        + "query?query="
                                                        + URLEncoder.encode(
                                                                promql, StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body()).get("data").get("result");
    }

    static double value(JsonNode result) {
        return result.size() == 1
                ? Double.parseDouble(result.get(0).get("value").get(1).asText())
                : Double.NaN;
    }

    void awaitQuery(String api, String promql, Predicate<JsonNode> done, ExternalProgram prometheus)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = query(api, promql);
            if (done.test(last)) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(
                promql + " never as expected; last " + last + "\n" + prometheus.output());
    }

    JsonNode awaitAlert(String api, String name, String runId, ExternalProgram prometheus)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode alerts = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(api + "alerts")).build(),
                            HttpResponse.BodyHandlers.ofString());
            alerts = Json.MAPPER.readTree(r.body()).get("data").get("alerts");
            for (JsonNode a : alerts) {
                if (a.get("labels").get("alertname").asText().equals(name)
                        && runId.equals(a.get("labels").path("run_id").asText())
                        && a.get("state").asText().equals("firing")) {
                    return a;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError(
                name
                        + " for "
                        + runId
                        + " never fired; alerts "
                        + alerts
                        + "\n"
                        + prometheus.output());
    }
}
