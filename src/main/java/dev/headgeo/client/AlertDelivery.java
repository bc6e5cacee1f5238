package dev.headgeo.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.avro.Severity;
import dev.headgeo.stream.RunAlerts;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How an alert is put on the wire for a receiver: Alertmanager API v2, a Slack incoming webhook, or
 * the alert's own JSON. In Alertmanager each condition has one label set, the one the shipped
 * Prometheus rules give it too (design §13), so both paths into one Alertmanager make one alert:
 * {@code alertname}, {@code run_id}, {@code severity}, {@code direction} for flips, and the
 * labelled tags.
 */
public enum AlertDelivery {
    alertmanager {
        @Override
        public URI target(URI to) {
            String base = to.toString().replaceAll("/+$", "");
            return URI.create(base.endsWith("/api/v2/alerts") ? base : base + "/api/v2/alerts");
        }

        @Override
        public String body(Alert a, String dashboardUrl, List<String> labelTags) {
            ObjectNode alert = Json.MAPPER.createObjectNode();
            labels(a, labelTags).forEach(alert.putObject("labels")::put);
            ObjectNode annotations = alert.putObject("annotations");
            annotations.put("summary", summary(a));
            annotations.put("description", description(a));
            annotations.put("checkpoint", Long.toString(a.getCheckpoint()));
            if (a.getAnchor() != null) {
                annotations.put("anchor", a.getAnchor().name());
            }
            Instant raised = a.getRaisedAt();
            alert.put("startsAt", raised.toString());
            Instant ends = endsAt(a);
            if (ends != null) {
                alert.put("endsAt", ends.toString());
            }
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
        public String body(Alert a, String dashboardUrl, List<String> labelTags) {
            String link = runLink(a, dashboardUrl);
            String text =
                    "*headgeo* "
                            + icon(a)
                            + " *"
                            + escape(summary(a))
                            + "*\n"
                            + escape(description(a))
                            + (link == null
                                    ? ""
                                    : "\n<" + link + "|open the run on the dashboard>");
            return Json.MAPPER.createObjectNode().put("text", text).toString();
        }
    },
    json {
        @Override
        public String body(Alert a, String dashboardUrl, List<String> labelTags) {
            ObjectNode out = AvroJson.toJson(a);
            // older records carry no severity: the receiver gets the one headgeo derives
            out.put("severity", RunAlerts.severityOf(a).name());
            out.put("resolves", ends(a));
            return out.toString();
        }
    };

    /**
     * A verdict flip is an event: Alertmanager shows it this long, as the shipped rule does (10
     * minutes).
     */
    public static final Duration FLIP_SHOWN = Duration.ofMinutes(10);

    /**
     * A state sent by forward alone stays active this long unless its end record comes first; with
     * the rules feeding the same Alertmanager, their resolution ends it earlier.
     */
    public static final Duration STATE_HELD = Duration.ofHours(24);

    /** The URL to POST to, given the receiver's {@code --to}. */
    public URI target(URI to) {
        return to;
    }

    /**
     * The request body for one alert; {@code labelTags}: the run tags that become labels
     * (Alertmanager only).
     */
    public abstract String body(Alert alert, String dashboardUrl, List<String> labelTags);

    /** The request body without tag labels. */
    public String body(Alert alert, String dashboardUrl) {
        return body(alert, dashboardUrl, List.of());
    }

    /** True for the records that end a state (they resolve the alert their start raised). */
    public static boolean ends(Alert a) {
        return stateOf(a.getType()) != a.getType();
    }

    /**
     * The type whose state {@code end} ends, for a type that ends one; the type itself otherwise.
     */
    public static AlertType stateOf(AlertType type) {
        return switch (type) {
            case FLIP_FORECAST_WITHDRAWN -> AlertType.FLIP_FORECAST;
            case INCOMPLETE_RESOLVED -> AlertType.INCOMPLETE_CHECKPOINT;
            case ENTROPY_COLLAPSE_RESOLVED -> AlertType.ENTROPY_COLLAPSE;
            case LOGIT_GROWTH_RESOLVED -> AlertType.LOGIT_GROWTH;
            default -> type;
        };
    }

    /**
     * Alertmanager's alertname of an alert type (the names the Prometheus rules use too); an end
     * has its state's name.
     */
    public static String alertName(AlertType type) {
        return switch (stateOf(type)) {
            case VERDICT_FLIP -> "HeadgeoVerdictFlip";
            case INCOMPLETE_CHECKPOINT -> "HeadgeoIncompleteCheckpoint";
            case FLIP_FORECAST -> "HeadgeoFlipForecast";
            case ANALYSIS_FAILED -> "HeadgeoAnalysisFailed";
            case ENTROPY_COLLAPSE -> "HeadgeoEntropyCollapse";
            case LOGIT_GROWTH -> "HeadgeoLogitGrowth";
            default -> "HeadgeoAlert";
        };
    }

    /**
     * The identifying labels: the same for a state's start and its end, and the same as the rules
     * give the condition (a forecast's severity is its direction's, an incomplete spell is a
     * warning).
     */
    public static Map<String, String> labels(Alert a, List<String> labelTags) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("alertname", alertName(a.getType()));
        labels.put("run_id", a.getRunId());
        Severity severity =
                switch (stateOf(a.getType())) {
                    case FLIP_FORECAST -> RunAlerts.forecastSeverity(a.getTrendPerCheckpoint());
                    case INCOMPLETE_CHECKPOINT, LOGIT_GROWTH -> Severity.WARNING;
                    case ENTROPY_COLLAPSE -> Severity.CRITICAL;
                    default -> RunAlerts.severityOf(a);
                };
        labels.put("severity", severity.name().toLowerCase(Locale.ROOT));
        if (a.getType() == AlertType.VERDICT_FLIP
                && a.getEarlierVerdict() != null
                && a.getLaterVerdict() != null) {
            labels.put(
                    "direction",
                    RunAlerts.better(a.getEarlierVerdict(), a.getLaterVerdict())
                            ? "better"
                            : "worse");
        }
        // an absent tag is no label at all, as an empty label value is in Prometheus
        TagLabels.of(labelTags, a.getTags())
                .forEach(
                        (k, v) -> {
                            if (!v.isEmpty()) {
                                labels.put(k, v);
                            }
                        });
        return labels;
    }

    /**
     * When Alertmanager should consider the alert over: a flip after its window, a state's end at
     * once, a state after a day.
     */
    static Instant endsAt(Alert a) {
        if (ends(a)) {
            return a.getRaisedAt();
        }
        return switch (a.getType()) {
            case VERDICT_FLIP, ANALYSIS_FAILED -> a.getRaisedAt().plus(FLIP_SHOWN);
            case FLIP_FORECAST, INCOMPLETE_CHECKPOINT, ENTROPY_COLLAPSE, LOGIT_GROWTH ->
                    a.getRaisedAt().plus(STATE_HELD);
            default -> null;
        };
    }

    static boolean recovery(Alert a) {
        return a.getType() == AlertType.VERDICT_FLIP && RunAlerts.severityOf(a) == Severity.INFO;
    }

    static String summary(Alert a) {
        return switch (a.getType()) {
            case VERDICT_FLIP ->
                    recovery(a)
                            ? "run "
                                    + a.getRunId()
                                    + " recovered: verdict "
                                    + a.getLaterVerdict()
                                    + " at checkpoint "
                                    + a.getCheckpoint()
                                    + " (was "
                                    + a.getEarlierVerdict()
                                    + ")"
                            : "verdict of run "
                                    + a.getRunId()
                                    + " flipped to "
                                    + a.getLaterVerdict()
                                    + " at checkpoint "
                                    + a.getCheckpoint();
            case INCOMPLETE_CHECKPOINT ->
                    "checkpoint "
                            + a.getCheckpoint()
                            + " of run "
                            + a.getRunId()
                            + " is incomplete";
            case INCOMPLETE_RESOLVED ->
                    "resolved: run "
                            + a.getRunId()
                            + " delivers complete checkpoints again (checkpoint "
                            + a.getCheckpoint()
                            + ")";
            case FLIP_FORECAST ->
                    String.format(
                            Locale.ROOT,
                            "run %s is forecast to %s %.1f by checkpoint %d",
                            a.getRunId(),
                            a.getTrendPerCheckpoint() != null && a.getTrendPerCheckpoint() < 0
                                    ? "fall below"
                                    : "rise above",
                            a.getBoundary(),
                            a.getForecastCheckpoint());
            case FLIP_FORECAST_WITHDRAWN ->
                    String.format(
                            Locale.ROOT,
                            "resolved: the forecast of run %s to cross %.1f no longer holds",
                            a.getRunId(),
                            a.getBoundary());
            case ANALYSIS_FAILED ->
                    "the analysis of checkpoint "
                            + a.getCheckpoint()
                            + " of run "
                            + a.getRunId()
                            + " failed";
            case ENTROPY_COLLAPSE ->
                    "attention entropy of run "
                            + a.getRunId()
                            + " collapsed at checkpoint "
                            + a.getCheckpoint()
                            + " (heads "
                            + String.join(", ", a.getHeads())
                            + ")";
            case ENTROPY_COLLAPSE_RESOLVED ->
                    "resolved: attention entropy of run "
                            + a.getRunId()
                            + " no longer collapsed (checkpoint "
                            + a.getCheckpoint()
                            + ")";
            case LOGIT_GROWTH ->
                    "attention logits of run "
                            + a.getRunId()
                            + " grow toward collapse (heads "
                            + String.join(", ", a.getHeads())
                            + (a.getForecastCheckpoint() == null
                                    ? ")"
                                    : "; forecast to collapse by checkpoint "
                                            + a.getForecastCheckpoint()
                                            + ")");
            case LOGIT_GROWTH_RESOLVED ->
                    "resolved: attention logits of run "
                            + a.getRunId()
                            + " no longer grow toward collapse (checkpoint "
                            + a.getCheckpoint()
                            + ")";
            case UNKNOWN -> "alert for run " + a.getRunId();
        };
    }

    static String description(Alert a) {
        StringBuilder d = new StringBuilder(a.getMessage());
        if (a.getType() == AlertType.VERDICT_FLIP && !a.getLaterVerdicts().isEmpty()) {
            d.append(". All anchors at checkpoint ").append(a.getLaterCheckpoint()).append(':');
            for (AnchorVerdict v : a.getLaterVerdicts()) {
                d.append(
                        String.format(
                                Locale.ROOT,
                                " %s %s (%.4f)",
                                v.getAnchor(),
                                v.getVerdict(),
                                v.getMeanResidual()));
            }
        }
        if (!a.getDrivers().isEmpty()) {
            d.append(". Moved most since the previous checkpoint: ")
                    .append(RunAlerts.driversText(a.getDrivers()));
        }
        return d.toString();
    }

    static String runLink(Alert a, String dashboardUrl) {
        if (dashboardUrl == null || dashboardUrl.isBlank()) {
            return null;
        }
        String base = dashboardUrl.endsWith("/") ? dashboardUrl : dashboardUrl + "/";
        return base
                + "#/run/"
                + URLEncoder.encode(a.getRunId(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Slack's icon: the severity's, a tick for a recovery or an end, no siren for anything that is
     * not critical.
     */
    static String icon(Alert a) {
        if (recovery(a) || ends(a)) {
            return ":white_check_mark:";
        }
        return switch (RunAlerts.severityOf(a)) {
            case CRITICAL -> ":rotating_light:";
            case WARNING -> a.getType() == AlertType.FLIP_FORECAST ? ":crystal_ball:" : ":warning:";
            case INFO -> ":information_source:";
        };
    }

    /** Slack's three control characters in message text. */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
