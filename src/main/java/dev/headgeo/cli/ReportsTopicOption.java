package dev.headgeo.cli;

import dev.headgeo.wire.HeadgeoTopics;
import picocli.CommandLine.Option;

/**
 * {@code --reports-topic}, on every command that writes or reads checkpoint reports (run, watch).
 */
final class ReportsTopicOption {
    @Option(
            names = "--reports-topic",
            defaultValue = HeadgeoTopics.DEFAULT_REPORTS,
            description = "Checkpoint reports (default: ${DEFAULT-VALUE}).")
    String name;
}
