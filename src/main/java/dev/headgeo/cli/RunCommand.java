package dev.headgeo.cli;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.stream.AvroSerde;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.HeadgeoTopics;
import dev.headgeo.stream.StreamSettings;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"The stream processor: gathers layer records per checkpoint, analyses, reports, alerts, dead-letters.",
            "Each setting: flag > HEADGEO_<NAME> environment variable > --config file (name=value) > default."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    KafkaClientSettings kafka;

    @Option(names = "--application-id", description = "Kafka Streams application id; also the consumer group (default: headgeo).")
    String applicationId;

    @Option(names = "--state-dir", description = "Where the local state stores live (default: Kafka Streams' own, /tmp/kafka-streams).")
    String stateDir;

    @Option(names = "--input-topic", description = "Layer records (default: " + HeadgeoTopics.DEFAULT_LAYERS + ").")
    String inputTopic;

    @Option(names = "--reports-topic", description = "Checkpoint reports (default: " + HeadgeoTopics.DEFAULT_REPORTS + ").")
    String reportsTopic;

    @Option(names = "--alerts-topic", description = "Alerts (default: " + HeadgeoTopics.DEFAULT_ALERTS + ").")
    String alertsTopic;

    @Option(names = "--dead-letter-topic", description = "Records that could not be used (default: " + HeadgeoTopics.DEFAULT_DEAD_LETTERS + ").")
    String deadLetterTopic;

    @Option(names = "--primary-anchor", description = "Anchor whose verdict is the report's verdict and is watched for flips: last, middle or best (default: last).")
    String primaryAnchor;

    @Option(names = "--checkpoint-timeout", description = "How long a started checkpoint may wait for its next layer: 30s, 10m, PT10M (default: 10m).")
    String checkpointTimeout;

    @Option(names = "--output-format", description = "Value format of reports and alerts: avro or json (default: avro).")
    String outputFormat;

    @Option(names = "--max-layer-bytes", description = "Largest accepted layer record, Avro-encoded; larger ones are dead-lettered TOO_LARGE (default: 524288).")
    String maxLayerBytes;

    @Option(names = "--history-size", description = "Closed checkpoints remembered per run for flips and late records (default: 256).")
    String historySize;

    @Option(names = "--history-retention", description = "A run's history is dropped after this long without a report (default: 7d).")
    String historyRetention;

    @Override
    public Integer call() throws InterruptedException {
        SettingSources s = kafka.sources();
        HeadgeoTopics topics = new HeadgeoTopics(
                s.get(inputTopic, "input-topic", HeadgeoTopics.DEFAULT_LAYERS),
                s.get(reportsTopic, "reports-topic", HeadgeoTopics.DEFAULT_REPORTS),
                s.get(alertsTopic, "alerts-topic", HeadgeoTopics.DEFAULT_ALERTS),
                s.get(deadLetterTopic, "dead-letter-topic", HeadgeoTopics.DEFAULT_DEAD_LETTERS),
                choice("--output-format", s.get(outputFormat, "output-format", "avro"), AvroSerde.Format.class),
                AvroSerde.Format.avro);
        StreamSettings settings = new StreamSettings(
                choice("--primary-anchor", s.get(primaryAnchor, "primary-anchor", "last"), Anchor.class),
                Durations.parse("--checkpoint-timeout", s.get(checkpointTimeout, "checkpoint-timeout", "10m")),
                positive("--max-layer-bytes", s.get(maxLayerBytes, "max-layer-bytes", Integer.toString(StreamSettings.DEFAULT_MAX_LAYER_BYTES))),
                positive("--history-size", s.get(historySize, "history-size", Integer.toString(StreamSettings.DEFAULT_HISTORY_SIZE))),
                Durations.parse("--history-retention", s.get(historyRetention, "history-retention", "7d")));
        Properties props = HeadgeoStreamsConfig.of(
                kafka.bootstrap(),
                s.get(applicationId, "application-id", "headgeo"),
                s.get(stateDir, "state-dir", null),
                topics, s.kafka(kafka.kafka));

        HeadgeoService service;
        try {
            service = HeadgeoService.start(props, topics, settings);
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new UserError(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "headgeo-shutdown"));
        while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            if (service.state() == KafkaStreams.State.ERROR || service.state() == KafkaStreams.State.NOT_RUNNING) {
                System.err.println("headgeo run: the processor stopped (" + service.state() + ")");
                return 1;
            }
        }
        return 0;
    }

    static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new UserError(option + " '" + value + "' is not one of " + names);
    }

    static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError(option + " must be a positive integer, got '" + value + "'");
    }
}
