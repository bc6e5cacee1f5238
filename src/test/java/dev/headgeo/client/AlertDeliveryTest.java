package dev.headgeo.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.avro.Verdict;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertDeliveryTest {
    static Alert flip(String run) {
        return Alert.newBuilder().setType(AlertType.VERDICT_FLIP).setRunId(run).setCheckpoint(300)
                .setMessage("run " + run + ": verdict (LAST anchor) flipped from SUPPORTED at checkpoint 200 to REJECTED at checkpoint 300")
                .setAnchor(Anchor.LAST).setEarlierCheckpoint(200L).setEarlierVerdict(Verdict.SUPPORTED).setLaterCheckpoint(300L)
                .setLaterVerdict(Verdict.REJECTED)
                .setLaterVerdicts(List.of(new AnchorVerdict(Anchor.LAST, Verdict.REJECTED, 0.41), new AnchorVerdict(Anchor.MIDDLE, Verdict.PARTIALLY_SUPPORTED, 0.29)))
                .setRaisedAt(Instant.parse("2026-11-28T10:00:00Z")).build();
    }

    @Test
    void alertmanagerGetsApiV2AlertsWithTheDesignedLabels() throws Exception {
        assertThat(AlertDelivery.alertmanager.target(URI.create("http://am:9093/"))).hasToString("http://am:9093/api/v2/alerts");
        JsonNode body = Json.MAPPER.readTree(AlertDelivery.alertmanager.body(flip("gpt-7"), "http://headgeo:8080"));

        assertThat(body.isArray()).isTrue();
        JsonNode alert = body.get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("HeadgeoVerdictFlip");
        assertThat(alert.get("labels").get("run_id").asText()).isEqualTo("gpt-7");
        assertThat(alert.get("labels").get("anchor").asText()).isEqualTo("LAST");
        assertThat(alert.get("labels").get("severity").asText()).isEqualTo("warning");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("verdict of run gpt-7 flipped to REJECTED at checkpoint 300");
        assertThat(alert.get("annotations").get("description").asText()).contains("LAST REJECTED (0.4100)", "MIDDLE PARTIALLY_SUPPORTED (0.2900)");
        assertThat(alert.get("startsAt").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(alert.get("generatorURL").asText()).isEqualTo("http://headgeo:8080/#/run/gpt-7");
    }

    @Test
    void slackGetsEscapedTextWithTheRunsLink() throws Exception {
        JsonNode body = Json.MAPPER.readTree(AlertDelivery.slack.body(flip("<b>&run"), "http://headgeo:8080/"));

        assertThat(body.fieldNames()).toIterable().containsExactly("text");
        String text = body.get("text").asText();
        assertThat(text).contains("verdict of run &lt;b&gt;&amp;run flipped to REJECTED", "<http://headgeo:8080/#/run/%3Cb%3E%26run|open the run on the dashboard>");
        assertThat(text).doesNotContain("<b>");
    }

    @Test
    void jsonIsTheAlertAsOnTheTopic() {
        Alert a = flip("r");
        assertThat(AlertDelivery.json.body(a, null)).isEqualTo(AvroJson.toJsonLine(a));
        assertThat(AlertDelivery.json.target(URI.create("http://x/hook"))).hasToString("http://x/hook");
    }

    @Test
    void everyAlertTypeHasAnAlertmanagerName() {
        assertThat(AlertDelivery.alertName(AlertType.FLIP_FORECAST)).isEqualTo("HeadgeoFlipForecast");
        assertThat(AlertDelivery.alertName(AlertType.INCOMPLETE_CHECKPOINT)).isEqualTo("HeadgeoIncompleteCheckpoint");
    }
}
