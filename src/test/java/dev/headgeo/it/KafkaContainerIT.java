package dev.headgeo.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.testing.LocalImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The integration scenario (restarts, a second instance, wiped state, dead letters) against a Kafka
 * container started by Testcontainers' own KafkaContainer: the public apache/kafka image, or the
 * one tools/local-images.sh built from Kafka's release jars (it takes the same settings). Skipped
 * with one line where no engine answers or the image is not here. Ryuk is off (failsafe sets
 * TESTCONTAINERS_RYUK_DISABLED): its image is one more pull that cannot succeed without a registry,
 * and each test stops its own containers.
 */
class KafkaContainerIT {
    @TempDir Path tmp;

    @Test
    void exactlyOneCorrectReportPerCheckpointAgainstAKafkaContainer() throws Exception {
        String missing = LocalImages.missing("KAFKA_IMAGE");
        assumeTrue(missing == null, missing);
        DockerImageName image =
                DockerImageName.parse(LocalImages.image("KAFKA_IMAGE"))
                        .asCompatibleSubstituteFor("apache/kafka");
        try (KafkaContainer kafka = new KafkaContainer(image)) {
            kafka.start();
            new StreamScenario(kafka.getBootstrapServers(), tmp).run();
        }
    }
}
