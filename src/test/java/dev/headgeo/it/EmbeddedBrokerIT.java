package dev.headgeo.it;

import dev.headgeo.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integration scenario against a real single-node KRaft broker inside this JVM. */
class EmbeddedBrokerIT {
    static EmbeddedKafka kafka;

    @TempDir Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void exactlyOneCorrectReportPerCheckpointAcrossRestartsWithGarbageAndDuplicates()
            throws Exception {
        new StreamScenario(kafka.bootstrapServers(), tmp).run();
    }
}
