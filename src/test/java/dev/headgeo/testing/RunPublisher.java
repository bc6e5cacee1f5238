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

    /**
     * All layers of {@code fixture} as checkpoint {@code checkpoint} of {@code run}; waits for the
     * acknowledgements.
     */
    public void checkpoint(String run, long checkpoint, String fixture) {
        publisher.publish(
                LayerRecords.split(
                        Golden.dump(fixture), run, checkpoint, "test-model", Instant.now()));
    }

    /** The same with the run's {@code tags} (run context) on every layer record. */
    public void checkpoint(
            String run, long checkpoint, String fixture, java.util.Map<String, String> tags) {
        publisher.publish(
                LayerRecords.split(
                        Golden.dump(fixture), run, checkpoint, "test-model", Instant.now(), tags));
    }

    /**
     * Only the first {@code layers} layers of the checkpoint: it stays open, waiting for the rest.
     */
    public void partialCheckpoint(String run, long checkpoint, String fixture, int layers) {
        publisher.publish(
                LayerRecords.split(
                                Golden.dump(fixture), run, checkpoint, "test-model", Instant.now())
                        .subList(0, layers));
    }

    /**
     * Checkpoint {@code checkpoint} of {@code run} whose mean residual is exactly {@code
     * meanResidual} ({@link ExactResidual}).
     */
    public void checkpointWithResidual(String run, long checkpoint, double meanResidual) {
        publisher.publish(ExactResidual.layers(run, checkpoint, meanResidual));
    }

    @Override
    public void close() {
        publisher.close();
    }
}
