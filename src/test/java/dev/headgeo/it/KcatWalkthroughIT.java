package dev.headgeo.it;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk-through with kcat of docs/operations.md, a C client nobody here wrote: JSON layer
 * records and garbage in, JSON reports out, equal to {@code analyze}; the garbage on the
 * dead-letter topic.
 */
class KcatWalkthroughIT {
    @TempDir Path tmp;

    @Test
    void kcatDrivesTheProcessorWithJson() throws Exception {
        assumeTrue(
                new File("/usr/bin/kcat").canExecute() || onPath("kcat"),
                "kcat is not installed (apt-get install kcat)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics =
                    HeadgeoTopics.builder()
                            .outputFormat(AvroSerde.Format.json)
                            .layersFormat(AvroSerde.Format.json)
                            .build();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-kcat-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            TopicCreator.createMissing(config, topics.names());
            try (HeadgeoService service =
                    HeadgeoService.start(config, topics, StreamSettings.defaults())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
                List<String> lines = new ArrayList<>();
                for (LayerGeometry layer :
                        LayerRecords.split(
                                Golden.dump("partial_12x12x64"), "demo-run", 100, null, null)) {
                    lines.add("demo-run\t" + AvroJson.toJsonLine(layer));
                }
                lines.add(6, "demo-run\tthis is not a layer");
                Path input = tmp.resolve("layers.txt");
                Files.write(input, lines, StandardCharsets.UTF_8);
                assertThat(
                                kcat(
                                        List.of(
                                                "-b",
                                                kafka.bootstrapServers(),
                                                "-P",
                                                "-t",
                                                "headgeo.layers",
                                                "-K",
                                                "\t",
                                                "-l",
                                                input.toString())))
                        .isEmpty();

                String report = "";
                String deadLetters = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((report.isBlank() || deadLetters.isBlank())
                        && System.nanoTime() < deadline) {
                    report =
                            kcat(
                                    List.of(
                                            "-b",
                                            kafka.bootstrapServers(),
                                            "-C",
                                            "-t",
                                            "headgeo.reports",
                                            "-e",
                                            "-o",
                                            "beginning",
                                            "-q",
                                            "-X",
                                            "isolation.level=read_committed",
                                            "-f",
                                            "%k\t%s\n"));
                    deadLetters =
                            kcat(
                                    List.of(
                                            "-b",
                                            kafka.bootstrapServers(),
                                            "-C",
                                            "-t",
                                            "headgeo.dead-letters",
                                            "-e",
                                            "-o",
                                            "beginning",
                                            "-q",
                                            "-f",
                                            "%h\t%s\n"));
                    Thread.sleep(200);
                }
                assertThat(report.strip().lines()).hasSize(1);
                String[] keyAndValue = report.strip().split("\t", 2);
                assertThat(keyAndValue[0]).isEqualTo("demo-run");
                var expected =
                        dev.headgeo.report.ReportMapper.complete(
                                new dev.headgeo.report.ReportMapper.Origin(
                                        "demo-run", 100, null, null, null),
                                dev.headgeo.analysis.SaScheduleAnalyzer.analyze(
                                        Golden.dump("partial_12x12x64").spectra(),
                                        java.util.EnumSet.allOf(Anchor.class)),
                                Anchor.LAST);
                assertThat(withoutTimes(Json.MAPPER.readTree(keyAndValue[1])))
                        .isEqualTo(
                                withoutTimes(Json.MAPPER.readTree(AvroJson.toJsonLine(expected))));
                assertThat(deadLetters)
                        .contains("headgeo.reason=MALFORMED")
                        .contains("this is not a layer");
            }
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static String kcat(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(args);
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
