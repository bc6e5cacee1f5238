package dev.headgeo.cli;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.RunTags;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description =
                "Splits a dump (the reference script's layout) into layer records and publishes"
                        + " them (idempotent producer, acks=all).")
final class PublishCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Spec CommandSpec spec;

    @Mixin KafkaClientSettings kafka;

    @Parameters(paramLabel = "DUMP.json", description = "The dump, or - for standard input.")
    String dump;

    @Option(names = "--run", required = true, description = "run_id (and record key).")
    String run;

    @Option(names = "--checkpoint", required = true, description = "Training step, >= 0.")
    long checkpoint;

    @Option(
            names = "--format",
            defaultValue = "avro",
            description = "avro (single-object encoding) or json (default: ${DEFAULT-VALUE}).")
    AvroSerde.Format format;

    @Option(names = "--model", description = "Free-text model name carried in each record.")
    String model;

    @Option(
            names = "--tag",
            paramLabel = "KEY=VALUE",
            description =
                    "Run context carried in each record (repeat: --tag owner=ana --tag lr=3e-4); at"
                            + " most 32.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(
            names = {"--input-topic", "--topic"},
            defaultValue = HeadgeoTopics.DEFAULT_LAYERS,
            description = "Layer topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() {
        if (run.isEmpty()) {
            throw new UserError("--run must not be empty");
        }
        if (checkpoint < 0) {
            throw new UserError("--checkpoint must be 0 or more, got " + checkpoint);
        }
        String tagProblem = RunTags.problem(tags);
        if (tagProblem != null) {
            throw new UserError("--tag: " + tagProblem);
        }
        Dump d = Dumps.load(dump);
        List<LayerGeometry> layers =
                LayerRecords.split(d, run, checkpoint, model, Instant.now(), tags);
        HeadgeoTopics topics = HeadgeoTopics.builder().layers(topic).layersFormat(format).build();
        try {
            KafkaCheck.check(kafka.clientProperties(), List.of(topic));
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        try (LayerPublisher publisher =
                new LayerPublisher(kafka.clientProperties(), topics.layers())) {
            publisher.publish(layers);
        } catch (LayerPublisher.PublishException e) {
            throw new UserError(e.getMessage());
        }
        spec.commandLine()
                .getOut()
                .println(
                        "published "
                                + layers.size()
                                + " layer records of "
                                + run
                                + "@"
                                + checkpoint
                                + " to "
                                + topic
                                + " at "
                                + kafka.bootstrapServers
                                + " ("
                                + format
                                + ")");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
