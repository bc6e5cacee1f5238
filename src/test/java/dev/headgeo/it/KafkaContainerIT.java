package dev.headgeo.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The integration scenario against a Kafka container. Runs where a Docker engine answers and the
 * image is present or pullable; reported as skipped elsewhere (no engine, or no registry).
 * Ryuk is off (failsafe sets TESTCONTAINERS_RYUK_DISABLED): the test stops its own container, and
 * the Ryuk image is one more pull that cannot succeed without a registry.
 */
class KafkaContainerIT {
    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.1.0");

    @TempDir
    Path tmp;

    @Test
    void exactlyOneCorrectReportPerCheckpointAgainstAKafkaContainer() throws Exception {
        // Asked through the docker CLI first: Testcontainers' own pulls retry for minutes without a registry.
        assumeTrue(docker("image", "inspect", IMAGE.asCanonicalNameString()) || docker("pull", IMAGE.asCanonicalNameString()),
                "no Docker engine here, or " + IMAGE + " is neither present nor pullable");
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "Testcontainers finds no Docker engine");
        try (KafkaContainer kafka = new KafkaContainer(IMAGE)) {
            kafka.start();
            new StreamScenario(kafka.getBootstrapServers(), tmp).run();
        }
    }

    /** Runs {@code docker ARGS…} for at most a minute; true when it succeeded. */
    private static boolean docker(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
