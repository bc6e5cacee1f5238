package dev.headgeo.cli;

import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.wire.HeadgeoTopics;
import picocli.CommandLine.Option;

/** Which Kafka Streams application: the options run and reset share (a picocli mixin). */
final class StreamsAppOptions {
    @Option(
            names = "--application-id",
            defaultValue = HeadgeoStreamsConfig.DEFAULT_APPLICATION_ID,
            description =
                    "Kafka Streams application id; also the consumer group (default:"
                            + " ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(
            names = "--state-dir",
            description =
                    "Where the local state stores live (default: Kafka Streams' own,"
                            + " /tmp/kafka-streams).")
    String stateDir;

    @Option(
            names = "--input-topic",
            defaultValue = HeadgeoTopics.DEFAULT_LAYERS,
            description = "Layer records (default: ${DEFAULT-VALUE}).")
    String inputTopic;
}
