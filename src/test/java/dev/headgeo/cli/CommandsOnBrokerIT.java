package dev.headgeo.cli;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.console.ConsoleView;
import dev.headgeo.demo.DemoScenario;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * publish, watch and the demo scenario against a real broker in this JVM, with the processor
 * running.
 */
class CommandsOnBrokerIT {
    static EmbeddedKafka kafka;
    static HeadgeoService service;

    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "headgeo-cli-it",
                        Files.createDirectories(tmp.resolve("state")).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        TopicCreator.createMissing(config, topics.names());
        service =
                HeadgeoService.start(
                        config,
                        topics,
                        StreamSettings.defaults().withCheckpointTimeout(Duration.ofSeconds(2)));
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void publishedDumpIsWatchedAsTheSameReportAnalyzeGives() throws Exception {
        Path dump = Golden.dumpFile("ragged_ranks", tmp);
        for (String format : List.of("json", "avro")) {
            String run = "cli-" + format;
            CliRunner.Result published =
                    CliRunner.run(
                            "publish",
                            dump.toString(),
                            "--run",
                            run,
                            "--checkpoint",
                            "42",
                            "--format",
                            format,
                            "--bootstrap-servers",
                            kafka.bootstrapServers());
            assertThat(published.status()).as(published.err()).isZero();
            assertThat(published.out()).contains("published 6 layer records of " + run + "@42");

            CliRunner.Result watched =
                    CliRunner.run(
                            "watch",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--run",
                            run,
                            "--from-beginning",
                            "--format",
                            "json",
                            "--max-records",
                            "1",
                            "--idle-timeout",
                            "60s");
            CliRunner.Result analyzed =
                    CliRunner.run(
                            "analyze",
                            dump.toString(),
                            "--format",
                            "json",
                            "--run",
                            run,
                            "--checkpoint",
                            "42");

            assertThat(watched.okOut().strip().lines()).hasSize(1);
            assertThat(withoutTimes(Json.MAPPER.readTree(watched.out())))
                    .isEqualTo(withoutTimes(Json.MAPPER.readTree(analyzed.okOut())));
        }
    }

    @Test
    void publishReadsTheDumpFromStandardInput() throws Exception {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(
                    new java.io.ByteArrayInputStream(
                            Golden.dumpText("two_layers")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            CliRunner.Result published =
                    CliRunner.run(
                            "publish",
                            "-",
                            "--run",
                            "stdin-run",
                            "--checkpoint",
                            "3",
                            "--bootstrap-servers",
                            kafka.bootstrapServers());
            assertThat(published.status()).as(published.err()).isZero();
            assertThat(published.out()).contains("published 2 layer records of stdin-run@3");
        } finally {
            System.setIn(stdin);
        }
        CliRunner.Result watched =
                CliRunner.run(
                        "watch",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--run",
                        "stdin-run",
                        "--from-beginning",
                        "--format",
                        "json",
                        "--max-records",
                        "1",
                        "--idle-timeout",
                        "60s");
        assertThat(Json.MAPPER.readTree(watched.okOut()).get("checkpoint").asLong()).isEqualTo(3);
    }

    @Test
    void watchWithAGroupShowsOnlyAlertsAndResumesWhereItStopped() throws Exception {
        try (RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
            publish.checkpoint("watched", 100, "supported_12x12x64");
            publish.checkpoint("watched", 200, "rejected_12x12x64");
            String[] watch = {
                "watch",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--alerts-only",
                "--group",
                "watch-it",
                "--run",
                "watched",
                "--format",
                "json",
                "--max-records",
                "1",
                "--idle-timeout",
                "60s"
            };
            JsonNode first =
                    Json.MAPPER.readTree(CliRunner.run(concat(watch, "--from-beginning")).okOut());
            assertThat(first.get("type").asText()).isEqualTo("VERDICT_FLIP");
            assertThat(first.get("later_checkpoint").asLong()).isEqualTo(200);

            publish.checkpoint("watched", 300, "supported_12x12x64");
            String second = CliRunner.run(watch).okOut();
            assertThat(second.strip().lines()).hasSize(1);
            JsonNode resumed = Json.MAPPER.readTree(second);
            assertThat(resumed.get("type").asText()).isEqualTo("VERDICT_FLIP");
            assertThat(resumed.get("later_checkpoint").asLong())
                    .as("the flip 200->300, not the one already shown")
                    .isEqualTo(300);
        }
    }

    static String[] concat(String[] args, String... more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }

    @Test
    void topicsThatDoNotExistAreNamedInOneLine() throws Exception {
        Path dump = Golden.dumpFile("two_layers", tmp);
        CliRunner.Result published =
                CliRunner.run(
                        "publish",
                        dump.toString(),
                        "--run",
                        "r",
                        "--checkpoint",
                        "1",
                        "--topic",
                        "no-such-layers",
                        "--bootstrap-servers",
                        kafka.bootstrapServers());
        assertThat(published.status()).isEqualTo(2);
        assertThat(published.err().strip())
                .isEqualTo(
                        "headgeo publish: topic no-such-layers does not exist at "
                                + kafka.bootstrapServers()
                                + " (headgeo run creates its topics unless started with"
                                + " --no-create-topics)");

        CliRunner.Result watched =
                CliRunner.run(
                        "watch",
                        "--reports-topic",
                        "no-reports",
                        "--alerts-topic",
                        "no-alerts",
                        "--bootstrap-servers",
                        kafka.bootstrapServers());
        assertThat(watched.status()).isEqualTo(2);
        assertThat(watched.err().strip())
                .startsWith("headgeo watch: topics no-reports, no-alerts do not exist at ");
    }

    @Test
    void badDumpPublishesNothing() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(
                bad, "{\"num_layers\": 2, \"num_heads\": 1, \"static\": [], \"dynamic\": []}");
        CliRunner.Result r =
                CliRunner.run(
                        "publish",
                        bad.toString(),
                        "--run",
                        "never",
                        "--checkpoint",
                        "1",
                        "--bootstrap-servers",
                        kafka.bootstrapServers());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        CliRunner.Result watched =
                CliRunner.run(
                        "watch",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--run",
                        "never",
                        "--from-beginning",
                        "--format",
                        "json",
                        "--idle-timeout",
                        "3s");
        assertThat(watched.okOut()).isEmpty();
    }

    @Test
    void demoScenarioFlipsTheVerdictAndLeavesOneCheckpointIncomplete() throws Exception {
        StringWriter screen = new StringWriter();
        ConsoleView view = new ConsoleView(new PrintWriter(screen, true), false);
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        DemoScenario scenario =
                new DemoScenario(client, HeadgeoTopics.defaults(), view, Duration.ZERO);

        DemoScenario.Result result = scenario.run("demo-it", Duration.ofSeconds(60));

        assertThat(result.reports()).hasSize(DemoScenario.STEPS.size());
        assertThat(result.count(AlertType.VERDICT_FLIP)).isEqualTo(DemoScenario.EXPECTED_FLIPS);
        assertThat(result.count(AlertType.INCOMPLETE_CHECKPOINT))
                .isEqualTo(DemoScenario.EXPECTED_INCOMPLETE);
        assertThat(result.asExpected()).isTrue();
        for (int i = 0; i < DemoScenario.STEPS.size(); i++) {
            DemoScenario.Step step = DemoScenario.STEPS.get(i);
            CheckpointReport report =
                    result.reports().stream()
                            .filter(r -> r.getCheckpoint() == step.checkpoint())
                            .findFirst()
                            .orElseThrow();
            if (step.layersSent() < DemoScenario.LAYERS) {
                assertThat(report.getStatus()).isEqualTo(ReportStatus.INCOMPLETE);
                assertThat(report.getMissingLayers())
                        .hasSize(DemoScenario.LAYERS - step.layersSent());
            } else {
                var expected =
                        ReportMapper.complete(
                                new ReportMapper.Origin(
                                        "demo-it", step.checkpoint(), null, null, null),
                                SaScheduleAnalyzer.analyze(
                                        result.dumps().get(i).spectra(),
                                        EnumSet.allOf(Anchor.class)),
                                Anchor.LAST);
                assertThat(withoutTimes(AvroJson.toJson(report)))
                        .isEqualTo(withoutTimes(AvroJson.toJson(expected)));
            }
        }
        assertThat(screen.toString())
                .contains("ALERT VERDICT_FLIP", "!  ALERT INCOMPLETE_CHECKPOINT", "INCOMPLETE");
    }
}
