package dev.headgeo.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.avro.Severity;
import dev.headgeo.avro.Verdict;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertDeliveryTest {
    static Alert flip(String run) {
        return Alert.newBuilder()
                .setType(AlertType.VERDICT_FLIP)
                .setRunId(run)
                .setCheckpoint(300)
                .setMessage(
                        "run "
                                + run
                                + ": verdict (LAST anchor) flipped from SUPPORTED at checkpoint 200"
                                + " to REJECTED at checkpoint 300")
                .setAnchor(Anchor.LAST)
                .setEarlierCheckpoint(200L)
                .setEarlierVerdict(Verdict.SUPPORTED)
                .setLaterCheckpoint(300L)
                .setLaterVerdict(Verdict.REJECTED)
                .setLaterVerdicts(
                        List.of(
                                new AnchorVerdict(Anchor.LAST, Verdict.REJECTED, 0.41),
                                new AnchorVerdict(
                                        Anchor.MIDDLE, Verdict.PARTIALLY_SUPPORTED, 0.29)))
                .setRaisedAt(Instant.parse("2026-11-28T10:00:00Z"))
                .build();
    }

    @Test
    void alertmanagerGetsApiV2AlertsWithTheDesignedLabels() throws Exception {
        assertThat(AlertDelivery.alertmanager.target(URI.create("http://am:9093/")))
                .hasToString("http://am:9093/api/v2/alerts");
        JsonNode body =
                Json.MAPPER.readTree(
                        AlertDelivery.alertmanager.body(flip("gpt-7"), "http://headgeo:8080"));

        assertThat(body.isArray()).isTrue();
        JsonNode alert = body.get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("HeadgeoVerdictFlip");
        assertThat(alert.get("labels").get("run_id").asText()).isEqualTo("gpt-7");
        // exactly the rule's label set for this condition (design §13), so both paths make one
        // alert
        assertThat(Json.MAPPER.convertValue(alert.get("labels"), java.util.Map.class))
                .isEqualTo(
                        java.util.Map.of(
                                "alertname",
                                "HeadgeoVerdictFlip",
                                "run_id",
                                "gpt-7",
                                "severity",
                                "critical",
                                "direction",
                                "worse"));
        assertThat(alert.get("annotations").get("anchor").asText()).isEqualTo("LAST");
        assertThat(alert.get("endsAt").asText())
                .as("an event shows for the rule's 10 minutes")
                .isEqualTo("2026-11-28T10:10:00Z");
        assertThat(alert.get("annotations").get("summary").asText())
                .isEqualTo("verdict of run gpt-7 flipped to REJECTED at checkpoint 300");
        assertThat(alert.get("annotations").get("description").asText())
                .contains("LAST REJECTED (0.4100)", "MIDDLE PARTIALLY_SUPPORTED (0.2900)");
        assertThat(alert.get("startsAt").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(alert.get("generatorURL").asText()).isEqualTo("http://headgeo:8080/#/run/gpt-7");
    }

    @Test
    void healthStatesGetTheRulesLabelsAndTheirEndsEndThem() throws Exception {
        Alert collapse =
                Alert.newBuilder()
                        .setType(AlertType.ENTROPY_COLLAPSE)
                        .setRunId("nx")
                        .setCheckpoint(25)
                        .setSeverity(Severity.CRITICAL)
                        .setMessage("run nx: attention entropy collapsed")
                        .setHeads(List.of("0.1", "1.3"))
                        .setDrivers(
                                List.of(
                                        new dev.headgeo.avro.Driver(
                                                dev.headgeo.avro.DriverSignal.ENTROPY,
                                                1,
                                                3,
                                                2.0,
                                                0.01,
                                                -1.99)))
                        .setRaisedAt(Instant.parse("2026-12-07T10:00:00Z"))
                        .build();
        Alert resolved =
                Alert.newBuilder(collapse)
                        .setType(AlertType.ENTROPY_COLLAPSE_RESOLVED)
                        .setSeverity(Severity.INFO)
                        .setHeads(List.of())
                        .setDrivers(List.of())
                        .setCheckpoint(40)
                        .setRaisedAt(Instant.parse("2026-12-07T10:05:00Z"))
                        .build();
        JsonNode start =
                Json.MAPPER.readTree(AlertDelivery.alertmanager.body(collapse, null)).get(0);
        JsonNode end = Json.MAPPER.readTree(AlertDelivery.alertmanager.body(resolved, null)).get(0);
        java.util.Map<?, ?> labels =
                java.util.Map.of(
                        "alertname",
                        "HeadgeoEntropyCollapse",
                        "run_id",
                        "nx",
                        "severity",
                        "critical");
        assertThat(Json.MAPPER.convertValue(start.get("labels"), java.util.Map.class))
                .isEqualTo(labels);
        assertThat(Json.MAPPER.convertValue(end.get("labels"), java.util.Map.class))
                .as("the end has the start's labels")
                .isEqualTo(labels);
        assertThat(end.get("endsAt").asText()).isEqualTo("2026-12-07T10:05:00Z");
        assertThat(start.get("annotations").get("summary").asText())
                .isEqualTo(
                        "attention entropy of run nx collapsed at checkpoint 25 (heads 0.1, 1.3)");
        assertThat(start.get("annotations").get("description").asText())
                .endsWith("Moved most since the previous checkpoint: head 1.3 entropy -1.9900");
        Alert growth =
                Alert.newBuilder(collapse)
                        .setType(AlertType.LOGIT_GROWTH)
                        .setSeverity(Severity.WARNING)
                        .setForecastCheckpoint(30L)
                        .build();
        assertThat(
                        Json.MAPPER
                                .readTree(AlertDelivery.alertmanager.body(growth, null))
                                .get(0)
                                .get("labels")
                                .get("alertname")
                                .asText())
                .isEqualTo("HeadgeoLogitGrowth");
    }

    @Test
    void slackGetsEscapedTextWithTheRunsLink() throws Exception {
        JsonNode body =
                Json.MAPPER.readTree(
                        AlertDelivery.slack.body(flip("<b>&run"), "http://headgeo:8080/"));

        assertThat(body.fieldNames()).toIterable().containsExactly("text");
        String text = body.get("text").asText();
        assertThat(text)
                .contains(
                        "verdict of run &lt;b&gt;&amp;run flipped to REJECTED",
                        "<http://headgeo:8080/#/run/%3Cb%3E%26run|open the run on the dashboard>");
        assertThat(text).doesNotContain("<b>");
    }

    static Alert recovery(String run) {
        return Alert.newBuilder(flip(run))
                .setEarlierVerdict(Verdict.REJECTED)
                .setLaterVerdict(Verdict.SUPPORTED)
                .setMessage(
                        "run "
                                + run
                                + ": verdict (LAST anchor) recovered from REJECTED at checkpoint"
                                + " 200 to SUPPORTED at checkpoint 300")
                .setSeverity(Severity.INFO)
                .setLaterVerdicts(List.of())
                .build();
    }

    static Alert forecast(String run, double trend, AlertType type) {
        return Alert.newBuilder()
                .setType(type)
                .setRunId(run)
                .setCheckpoint(400)
                .setMessage("m")
                .setAnchor(Anchor.LAST)
                .setBoundary(0.1)
                .setForecastCheckpoint(636L)
                .setCurrentMeanResidual(0.074)
                .setTrendPerCheckpoint(trend)
                .setTags(java.util.Map.of("owner", "ana"))
                .setRaisedAt(Instant.parse("2026-11-28T10:00:00Z"))
                .build();
    }

    @Test
    void aRecoveryIsInfoAndReadsAsOneInEveryForm() throws Exception {
        JsonNode am =
                Json.MAPPER.readTree(AlertDelivery.alertmanager.body(recovery("r"), null)).get(0);
        assertThat(am.get("labels").get("severity").asText()).isEqualTo("info");
        assertThat(am.get("labels").get("direction").asText()).isEqualTo("better");
        assertThat(am.get("annotations").get("summary").asText())
                .isEqualTo("run r recovered: verdict SUPPORTED at checkpoint 300 (was REJECTED)");
        String slack =
                Json.MAPPER
                        .readTree(AlertDelivery.slack.body(recovery("r"), null))
                        .get("text")
                        .asText();
        assertThat(slack)
                .startsWith("*headgeo* :white_check_mark: *run r recovered")
                .doesNotContain(":rotating_light:");
        JsonNode json = Json.MAPPER.readTree(AlertDelivery.json.body(recovery("r"), null));
        assertThat(json.get("severity").asText()).isEqualTo("INFO");
    }

    @Test
    void aStatesStartAndEndHaveOneLabelSetAndTheEndResolvesIt() throws Exception {
        Alert start = forecast("r", 0.011, AlertType.FLIP_FORECAST);
        Alert end =
                Alert.newBuilder(forecast("r", 0.011, AlertType.FLIP_FORECAST_WITHDRAWN))
                        .setSeverity(Severity.INFO)
                        .setRaisedAt(Instant.parse("2026-11-28T11:00:00Z"))
                        .build();
        JsonNode started =
                Json.MAPPER
                        .readTree(AlertDelivery.alertmanager.body(start, null, List.of("owner")))
                        .get(0);
        JsonNode ended =
                Json.MAPPER
                        .readTree(AlertDelivery.alertmanager.body(end, null, List.of("owner")))
                        .get(0);

        assertThat(ended.get("labels")).isEqualTo(started.get("labels"));
        assertThat(Json.MAPPER.convertValue(started.get("labels"), java.util.Map.class))
                .isEqualTo(
                        java.util.Map.of(
                                "alertname",
                                "HeadgeoFlipForecast",
                                "run_id",
                                "r",
                                "severity",
                                "warning",
                                "owner",
                                "ana"));
        assertThat(started.get("endsAt").asText())
                .as("held until its end comes (or a day)")
                .isEqualTo("2026-11-29T10:00:00Z");
        assertThat(ended.get("endsAt").asText()).isEqualTo("2026-11-28T11:00:00Z");
        // a forecast of recovery is news, not a warning, from start to end
        assertThat(AlertDelivery.labels(forecast("r", -0.03, AlertType.FLIP_FORECAST), List.of()))
                .containsEntry("severity", "info");
        assertThat(
                        AlertDelivery.labels(
                                forecast("r", -0.03, AlertType.FLIP_FORECAST_WITHDRAWN), List.of()))
                .containsEntry("severity", "info");
        assertThat(Json.MAPPER.readTree(AlertDelivery.slack.body(end, null)).get("text").asText())
                .contains(":white_check_mark:", "resolved");
        assertThat(
                        Json.MAPPER
                                .readTree(AlertDelivery.json.body(end, null))
                                .get("resolves")
                                .asBoolean())
                .isTrue();

        Alert incomplete =
                Alert.newBuilder(forecast("r", 0, AlertType.INCOMPLETE_CHECKPOINT))
                        .setTrendPerCheckpoint(null)
                        .setBoundary(null)
                        .build();
        Alert resolved =
                Alert.newBuilder(incomplete)
                        .setType(AlertType.INCOMPLETE_RESOLVED)
                        .setSeverity(Severity.INFO)
                        .build();
        assertThat(AlertDelivery.labels(resolved, List.of()))
                .isEqualTo(AlertDelivery.labels(incomplete, List.of()))
                .containsEntry("alertname", "HeadgeoIncompleteCheckpoint")
                .containsEntry("severity", "warning");
    }

    @Test
    void jsonIsTheAlertAsOnTheTopicWithItsSeverity() throws Exception {
        Alert a = flip("r");
        JsonNode body = Json.MAPPER.readTree(AlertDelivery.json.body(a, null));
        JsonNode topic = Json.MAPPER.readTree(AvroJson.toJsonLine(a));
        // an alert of an earlier version has no severity: the receiver gets the derived one
        ((com.fasterxml.jackson.databind.node.ObjectNode) topic)
                .put("severity", "CRITICAL")
                .put("resolves", false);
        assertThat(body).isEqualTo(topic);
        assertThat(AlertDelivery.json.target(URI.create("http://x/hook")))
                .hasToString("http://x/hook");
    }

    @Test
    void everyAlertTypeHasAnAlertmanagerName() {
        assertThat(AlertDelivery.alertName(AlertType.FLIP_FORECAST))
                .isEqualTo("HeadgeoFlipForecast");
        assertThat(AlertDelivery.alertName(AlertType.INCOMPLETE_CHECKPOINT))
                .isEqualTo("HeadgeoIncompleteCheckpoint");
    }
}
