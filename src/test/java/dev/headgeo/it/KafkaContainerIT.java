package dev.headgeo.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The integration scenario against a Kafka container. Runs where a Docker engine answers and the
 * image is present or pullable; reported as skipped elsewhere (no engine, or no registry).
 */
class KafkaContainerIT {
    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.1.0");

    @TempDir
    Path tmp;

    @Test
    void exactlyOneCorrectReportPerCheckpointAgainstAKafkaContainer() throws Exception {
        assumeTrue(dockerAvailable(), "no Docker engine here");
        KafkaContainer kafka = new KafkaContainer(IMAGE);
        try {
            kafka.start();
        } catch (RuntimeException e) {
            kafka.close();
            assumeTrue(false, "cannot start " + IMAGE + " (image missing and not pullable?): " + e.getMessage());
        }
        try (kafka) {
            new StreamScenario(kafka.getBootstrapServers(), tmp).run();
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}
