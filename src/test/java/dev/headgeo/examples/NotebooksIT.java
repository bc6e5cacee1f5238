package dev.headgeo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebooks under examples/notebooks run top to bottom in a real Jupyter kernel against a real
 * instance: the measured attention-health sweep (src/test/resources/health) and two runs with a
 * training loss, published through the Python client; the repository keeps them without outputs.
 */
class NotebooksIT {
    private static final String TOKEN = "notebooks-token";

    @TempDir Path tmp;

    @Test
    void everyNotebookRunsAgainstAnInstance() throws Exception {
        Optional<String> python =
                Python.withModules(
                        "nbclient",
                        "ipykernel",
                        "matplotlib",
                        "pandas",
                        "confluent_kafka",
                        "fastavro");
        assumeTrue(
                python.isPresent(),
                "no python with nbclient, ipykernel, matplotlib and pandas (tools/python-venv.sh)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-notebooks-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                    ProcessorApp.start(
                            config,
                            topics,
                            StreamSettings.defaults(),
                            true,
                            new HttpAddress("127.0.0.1", 0),
                            TOKEN)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Python.Run sweep =
                        Python.run(
                                python.get(),
                                List.of(
                                        "src/test/python/publish_measured_runs.py",
                                        kafka.bootstrapServers(),
                                        "src/test/resources/health/measured-runs.json"));
                assertThat(sweep.status()).as(sweep.output()).isZero();
                List<String> dumps =
                        List.of("supported_12x12x64", "partial_12x12x64", "rejected_12x12x64");
                for (String run : List.of("lr-1e-3", "lr-1e-2")) {
                    for (int i = 0; i < dumps.size(); i++) {
                        String dump = run.equals("lr-1e-3") ? dumps.get(0) : dumps.get(i);
                        Python.Run published =
                                Python.run(
                                        python.get(),
                                        List.of(
                                                "examples/python/publish_dump.py",
                                                Golden.dumpFile(dump, tmp).toString(),
                                                "--run",
                                                run,
                                                "--checkpoint",
                                                Integer.toString(100 * (i + 1)),
                                                "--bootstrap-servers",
                                                kafka.bootstrapServers(),
                                                "--tag",
                                                "loss=" + (4.0 - i)));
                        assertThat(published.status()).as(published.output()).isZero();
                    }
                }
                LoadRunsIT.awaitReports(app, TOKEN, 3 * 6 + 2 * 3);

                List<String> notebooks;
                try (Stream<Path> files = Files.list(Path.of("examples/notebooks"))) {
                    notebooks =
                            files.filter(p -> p.toString().endsWith(".ipynb"))
                                    .map(Path::toString)
                                    .sorted()
                                    .toList();
                }
                assertThat(notebooks).hasSizeGreaterThanOrEqualTo(3);
                List<String> command = new ArrayList<>(List.of("src/test/python/run_notebooks.py"));
                command.addAll(notebooks);
                ProcessBuilder pb = Python.processBuilder(python.get(), command);
                pb.environment().put("HEADGEO_SOURCE", app.httpUrl());
                pb.environment().put("HEADGEO_TOKEN", TOKEN);
                pb.environment().put("HEADGEO_RUN", "lr-1e-2");
                pb.environment().put("HEADGEO_RUNS", "lr-1e-3,lr-1e-2");
                pb.environment()
                        .put(
                                "HEADGEO_NOTEBOOK_OUT",
                                Path.of("target/notebooks").toAbsolutePath().toString());
                Path output = tmp.resolve("notebooks.out");
                Process p = pb.redirectOutput(output.toFile()).start();
                assertThat(p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS))
                        .as("notebooks within 10 minutes")
                        .isTrue();
                String out = Files.readString(output);
                assertThat(p.exitValue()).as(out).isZero();
                String[] lines = out.strip().split("\n");
                JsonNode summary = Json.MAPPER.readTree(lines[lines.length - 1]);
                for (String notebook :
                        List.of(
                                "run_over_training.ipynb",
                                "compare_runs.ipynb",
                                "instability_sweep.ipynb")) {
                    assertThat(summary.path(notebook).path("outputs").path("image/png").asInt())
                            .as(notebook + ": its charts")
                            .isPositive();
                    assertThat(summary.path(notebook).path("outputs").path("text/html").asInt())
                            .as(notebook + ": its tables")
                            .isPositive();
                }
            }
        }
    }
}
