package dev.headgeo.cli;

import dev.headgeo.avro.AlertType;
import dev.headgeo.client.AlertDelivery;
import dev.headgeo.client.AlertForwarder;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.wire.HeadgeoTopics;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "forward",
        mixinStandardHelpOptions = true,
        description = {
            "Delivers alerts to Alertmanager, a Slack incoming webhook or any JSON endpoint.",
            "Reads the alerts topic in a consumer group and commits an alert only after a 2xx"
                    + " answer (at-least-once); a restarted forwarder resumes after the last"
                    + " acknowledged alert."
        })
final class ForwardCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Mixin KafkaClientSettings kafka;

    @Option(
            names = "--to",
            required = true,
            description =
                    "Receiver: Alertmanager's base URL (…/api/v2/alerts is added), or the webhook"
                            + " URL.")
    String to;

    @Option(
            names = "--format",
            defaultValue = "alertmanager",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    AlertDelivery format;

    @Option(
            names = "--group",
            defaultValue = "headgeo-forward",
            description = "Consumer group; one per receiver (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(
            names = "--types",
            split = ",",
            defaultValue = "VERDICT_FLIP,INCOMPLETE_CHECKPOINT,FLIP_FORECAST,ANALYSIS_FAILED",
            completionCandidates = DeliverableTypes.class,
            description =
                    "Alert types to deliver, comma-separated: ${COMPLETION-CANDIDATES} (default:"
                            + " ${DEFAULT-VALUE}); the end of a state (FLIP_FORECAST_WITHDRAWN,"
                            + " INCOMPLETE_RESOLVED) goes with its start.")
    List<AlertType> types;

    /**
     * Every alert type but UNKNOWN, which is never written (it is how an older reader sees a newer
     * type).
     */
    static final class DeliverableTypes extends java.util.ArrayList<String> {
        DeliverableTypes() {
            for (AlertType t : AlertType.values()) {
                if (t != AlertType.UNKNOWN) {
                    add(t.name());
                }
            }
        }
    }

    @Option(
            names = "--label-tags",
            split = ",",
            paramLabel = "KEY[,KEY…]",
            description =
                    "Run tags that become Alertmanager labels (e.g. owner, for routes and"
                            + " silences); the same list as run's --label-tags so that both paths'"
                            + " alerts merge (default: none).")
    List<String> labelTags = new java.util.ArrayList<>();

    @Option(
            names = "--dashboard-url",
            description =
                    "headgeo's dashboard (http://host:8080/): each alert links to its run's page.")
    String dashboardUrl;

    @Option(
            names = "--max-wait",
            defaultValue = "5m",
            description =
                    "How long one alert's delivery is retried (with back-off) before the forwarder"
                            + " gives up with an error (default: ${DEFAULT-VALUE}).")
    Duration maxWait;

    @Option(
            names = "--from-beginning",
            description = "A new group starts at the oldest alert (default: at the next one).")
    boolean fromBeginning;

    @Mixin AlertsTopicOption alertsTopic;

    @Override
    public Integer call() throws InterruptedException {
        URI uri;
        try {
            uri = new URI(to);
            if (uri.getScheme() == null
                    || !uri.getScheme().matches("https?")
                    || uri.getHost() == null) {
                throw new URISyntaxException(to, "not an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new UserError("--to '" + to + "' is not an http(s) URL");
        }
        if (types.contains(AlertType.UNKNOWN)) {
            throw new UserError(
                    "--types: UNKNOWN is not an alert type headgeo raises; choose from "
                            + String.join(", ", new DeliverableTypes()));
        }
        Set<AlertType> wanted =
                types.isEmpty() ? EnumSet.noneOf(AlertType.class) : EnumSet.copyOf(types);
        AlertForwarder.Target target;
        try {
            target =
                    new AlertForwarder.Target(
                            uri,
                            format,
                            wanted,
                            dashboardUrl,
                            Checks.positive("--max-wait", maxWait),
                            labelTags);
        } catch (IllegalArgumentException e) {
            throw new UserError("--label-tags: " + e.getMessage());
        }
        HeadgeoTopics topics = HeadgeoTopics.builder().alerts(alertsTopic.name).build();
        AlertForwarder forwarder;
        try {
            KafkaCheck.check(kafka.clientProperties(), List.of(alertsTopic.name));
            KafkaCheck.checkPermissions(
                    kafka.clientProperties(), Map.of(alertsTopic.name, AclOperation.READ), group);
            forwarder =
                    new AlertForwarder(
                            kafka.clientProperties(), topics, group, fromBeginning, target);
        } catch (KafkaException | IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        try (SignalStop signal = SignalStop.install("forward-shutdown", forwarder::stop);
                forwarder) {
            forwarder.run();
        } catch (AlertForwarder.DeliveryException e) {
            throw new Failure(e.getMessage());
        }
        return 0;
    }
}
