package dev.headgeo.testing;

import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Instant;
import java.util.Properties;

/** Publishes golden dumps as checkpoints of a run, the way a training job does. */
public final class RunPublisher implements AutoCloseable {
    private final LayerPublisher publisher;

    public RunPublisher(String bootstrap) {
        this(bootstrapOnly(bootstrap));
    }

    /** With these client properties (security settings, for example). */
    public RunPublisher(Properties client) {
        this.publisher = new LayerPublisher(client, HeadgeoTopics.defaults().layers());
    }

    private static Properties bootstrapOnly(String bootstrap) {
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        return client;
    }

    /** All layers of {@code fixture} as checkpoint {@code checkpoint} of {@code run}; waits for the acknowledgements. */
    public void checkpoint(String run, long checkpoint, String fixture) {
        publisher.publish(LayerRecords.split(Golden.dump(fixture), run, checkpoint, "test-model", Instant.now()));
    }

    /** Checkpoint {@code checkpoint} of {@code run} whose mean residual is exactly {@code meanResidual} ({@link ExactResidual}). */
    public void checkpointWithResidual(String run, long checkpoint, double meanResidual) {
        publisher.publish(ExactResidual.layers(run, checkpoint, meanResidual));
    }

    @Override
    public void close() {
        publisher.close();
    }
}
