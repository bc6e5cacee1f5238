package dev.headgeo.cli;

import dev.headgeo.wire.HeadgeoTopics;
import picocli.CommandLine.Option;

/** {@code --alerts-topic}, on every command that writes or reads alerts (run, watch, forward). */
final class AlertsTopicOption {
    @Option(
            names = "--alerts-topic",
            defaultValue = HeadgeoTopics.DEFAULT_ALERTS,
            description = "Alerts (default: ${DEFAULT-VALUE}).")
    String name;
}
