package dev.headgeo.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** How an alert is put on the wire for a receiver: Alertmanager API v2, a Slack incoming webhook, or the alert's own JSON. */
public enum AlertDelivery {
    alertmanager {
        @Override
        public URI target(URI to) {
            String base = to.toString().replaceAll("/+$", "");
            return URI.create(base.endsWith("/api/v2/alerts") ? base : base + "/api/v2/alerts");
        }

        @Override
        public String body(Alert a, String dashboardUrl) {
            ObjectNode alert = Json.MAPPER.createObjectNode();
            ObjectNode labels = alert.putObject("labels");
            labels.put("alertname", alertName(a.getType()));
            labels.put("run_id", a.getRunId());
            if (a.getAnchor() != null) {
                labels.put("anchor", a.getAnchor().name());
            }
            labels.put("severity", a.getType() == AlertType.FLIP_FORECAST ? "info" : "warning");
            ObjectNode annotations = alert.putObject("annotations");
            annotations.put("summary", summary(a));
            annotations.put("description", description(a));
            annotations.put("checkpoint", Long.toString(a.getCheckpoint()));
            alert.put("startsAt", a.getRaisedAt().toString());
            String link = runLink(a, dashboardUrl);
            if (link != null) {
                alert.put("generatorURL", link);
            }
            ArrayNode body = Json.MAPPER.createArrayNode();
            body.add(alert);
            return body.toString();
        }
    },
    slack {
        @Override
        public String body(Alert a, String dashboardUrl) {
            String link = runLink(a, dashboardUrl);
            String text = "*headgeo* " + icon(a.getType()) + " *" + escape(summary(a)) + "*\n" + escape(description(a))
                    + (link == null ? "" : "\n<" + link + "|open the run on the dashboard>");
            return Json.MAPPER.createObjectNode().put("text", text).toString();
        }
    },
    json {
        @Override
        public String body(Alert a, String dashboardUrl) {
            return AvroJson.toJsonLine(a);
        }
    };

    /** The URL to POST to, given the receiver's {@code --to}. */
    public URI target(URI to) {
        return to;
    }

    /** The request body for one alert. */
    public abstract String body(Alert alert, String dashboardUrl);

    /** Alertmanager's alertname of an alert type (the names the Prometheus rules use too). */
    public static String alertName(AlertType type) {
        return switch (type) {
            case VERDICT_FLIP -> "HeadgeoVerdictFlip";
            case INCOMPLETE_CHECKPOINT -> "HeadgeoIncompleteCheckpoint";
            case FLIP_FORECAST -> "HeadgeoFlipForecast";
            case ANALYSIS_FAILED -> "HeadgeoAnalysisFailed";
            case UNKNOWN -> "HeadgeoAlert";
        };
    }

    static String summary(Alert a) {
        return switch (a.getType()) {
            case VERDICT_FLIP -> "verdict of run " + a.getRunId() + " flipped to " + a.getLaterVerdict() + " at checkpoint " + a.getCheckpoint();
            case INCOMPLETE_CHECKPOINT -> "checkpoint " + a.getCheckpoint() + " of run " + a.getRunId() + " is incomplete";
            case FLIP_FORECAST -> String.format(Locale.ROOT, "run %s is forecast to cross %.1f by checkpoint %d", a.getRunId(),
                    a.getBoundary(), a.getForecastCheckpoint());
            case ANALYSIS_FAILED -> "the analysis of checkpoint " + a.getCheckpoint() + " of run " + a.getRunId() + " failed";
            case UNKNOWN -> "alert for run " + a.getRunId();
        };
    }

    static String description(Alert a) {
        StringBuilder d = new StringBuilder(a.getMessage());
        if (a.getType() == AlertType.VERDICT_FLIP && !a.getLaterVerdicts().isEmpty()) {
            d.append(". All anchors at checkpoint ").append(a.getLaterCheckpoint()).append(':');
            for (AnchorVerdict v : a.getLaterVerdicts()) {
                d.append(String.format(Locale.ROOT, " %s %s (%.4f)", v.getAnchor(), v.getVerdict(), v.getMeanResidual()));
            }
        }
        return d.toString();
    }

    static String runLink(Alert a, String dashboardUrl) {
        if (dashboardUrl == null || dashboardUrl.isBlank()) {
            return null;
        }
        String base = dashboardUrl.endsWith("/") ? dashboardUrl : dashboardUrl + "/";
        return base + "#/run/" + URLEncoder.encode(a.getRunId(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String icon(AlertType type) {
        return switch (type) {
            case VERDICT_FLIP -> ":rotating_light:";
            case INCOMPLETE_CHECKPOINT -> ":warning:";
            case FLIP_FORECAST -> ":crystal_ball:";
            case ANALYSIS_FAILED -> ":boom:";
            case UNKNOWN -> ":grey_question:";
        };
    }

    /** Slack's three control characters in message text. */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
