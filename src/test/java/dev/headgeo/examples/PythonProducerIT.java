package dev.headgeo.examples;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/python publishes with confluent-kafka (a client nobody here wrote) to a real broker;
 * the processor's reports equal the offline analysis of the same dumps.
 */
class PythonProducerIT {
    @TempDir
    Path tmp;

    @Test
    void reportsForWhatPythonPublishedEqualTheOfflineAnalysis() throws Exception {
        Optional<String> python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(python.isPresent(), "no python3 with numpy and confluent_kafka (apt-get install python3-numpy python3-confluent-kafka)");
        List<String> fixtures = List.of("supported_12x12x64", "ragged_ranks", "one_layer_one_head");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Properties config = HeadgeoStreamsConfig.of(kafka.bootstrapServers(), "headgeo-python-it",
                    Files.createDirectories(tmp.resolve("state")).toString(), topics, Map.of("commit.interval.ms", "100"));
            TopicCreator.createMissing(config, topics.names());
            try (HeadgeoService service = HeadgeoService.start(config, topics, StreamSettings.defaults())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
                for (int i = 0; i < fixtures.size(); i++) {
                    Path dump = Golden.dumpFile(fixtures.get(i), tmp);
                    Python.Run run = Python.run(python.get(), List.of("examples/python/publish_dump.py", dump.toString(),
                            "--run", "py-run", "--checkpoint", Integer.toString(i), "--bootstrap-servers", kafka.bootstrapServers()));
                    assertThat(run.status()).as(run.output()).isZero();
                }
                List<CheckpointReport> reports = ReportReader.read(kafka.bootstrapServers(), fixtures.size(), Duration.ofSeconds(60));
                assertThat(reports).hasSize(fixtures.size());
                for (CheckpointReport r : reports) {
                    String fixture = fixtures.get((int) r.getCheckpoint());
                    var expected = ReportMapper.complete(new ReportMapper.Origin("py-run", r.getCheckpoint(), null, null, null),
                            SaScheduleAnalyzer.analyze(Golden.dump(fixture).spectra(), EnumSet.allOf(Anchor.class)), Anchor.LAST);
                    assertThat(withoutTimes(AvroJson.toJson(r))).isEqualTo(withoutTimes(AvroJson.toJson(expected)));
                }
            }
        }
    }
}
