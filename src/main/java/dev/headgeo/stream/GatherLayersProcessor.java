package dev.headgeo.stream;

import dev.headgeo.avro.ClosedCheckpoint;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.wire.LayerReader;
import dev.headgeo.wire.LayerValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Gathers a checkpoint's layers, one store entry per layer, until all {@code num_layers} are there,
 * then hands the checkpoint on and forgets it. A wall-clock punctuator hands on checkpoints whose
 * layers stopped arriving as incomplete. Records it cannot use are rejected with their reason
 * (INVALID, TOO_LARGE, INCONSISTENT_CHECKPOINT, LATE, in that order) and never touch the stores.
 */
final class GatherLayersProcessor implements Processor<String, ReceivedLayerDeserializer.ReceivedLayer, String, GatheredCheckpoint> {
    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final StreamSettings settings;
    private final LayerReader reader = new LayerReader();
    private ProcessorContext<String, GatheredCheckpoint> context;
    /** One entry per layer: the record in Avro single-object encoding (its bytes as received when it came so). */
    private KeyValueStore<String, byte[]> layers;
    /**
     * The layers this processor put into {@code layers} since its last init, already decoded, so a
     * completing checkpoint is not decoded a second time. Only a shortcut: a layer missing here
     * (restored from the changelog after a restart or a rebalance) is decoded from the store.
     */
    private final Map<String, LayerValues> decoded = new HashMap<>();
    private KeyValueStore<String, OpenCheckpoint> open;
    private KeyValueStore<String, RunHistory> history;

    GatherLayersProcessor(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, GatheredCheckpoint> context) {
        this.context = context;
        // a task revived after an exactly-once abort re-initialises on restored stores
        decoded.clear();
        this.layers = context.getStateStore(HeadgeoTopology.LAYERS_STORE);
        this.open = context.getStateStore(HeadgeoTopology.OPEN_CHECKPOINTS_STORE);
        this.history = context.getStateStore(HeadgeoTopology.RUN_HISTORY_STORE);
        context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireStalled);
    }

    @Override
    public void process(Record<String, ReceivedLayerDeserializer.ReceivedLayer> record) {
        if (record.value() == null) {
            throw new RejectedRecordException(RejectReason.MALFORMED, "the record has no value");
        }
        LayerValues layer = record.value().values();
        String problem = LayerValidation.problem(record.key(), layer, settings.limits());
        if (problem != null) {
            throw new RejectedRecordException(RejectReason.INVALID, problem);
        }
        byte[] stored = record.value().avro();
        String checkpointKey = StoreKeys.checkpoint(layer.runId(), layer.checkpoint());
        OpenCheckpoint state = open.get(checkpointKey);
        if (state != null && (state.getNumLayers() != layer.numLayers() || state.getNumHeads() != layer.numHeads())) {
            throw new RejectedRecordException(RejectReason.INCONSISTENT_CHECKPOINT,
                    "layer " + layer.layer() + " says " + layer.numLayers() + " layers × " + layer.numHeads()
                            + " heads, checkpoint " + layer.checkpoint() + " started with "
                            + state.getNumLayers() + " × " + state.getNumHeads());
        }
        if (state == null && isClosed(layer.runId(), layer.checkpoint())) {
            throw new RejectedRecordException(RejectReason.LATE,
                    "checkpoint " + layer.checkpoint() + " of run " + layer.runId() + " was already reported");
        }
        long now = context.currentSystemTimeMs();
        if (state == null) {
            state = new OpenCheckpoint(layer.runId(), layer.checkpoint(), layer.numLayers(), layer.numHeads(),
                    0, record.timestamp(), record.timestamp(), now);
        }
        String layerKey = StoreKeys.layer(checkpointKey, layer.layer());
        if (layers.get(layerKey) == null) {
            state.setLayersReceived(state.getLayersReceived() + 1);
        }
        // A duplicate replaces the earlier copy.
        layers.put(layerKey, stored);
        decoded.put(layerKey, layer);
        state.setFirstLayerAt(Math.min(state.getFirstLayerAt(), record.timestamp()));
        state.setLastLayerAt(Math.max(state.getLastLayerAt(), record.timestamp()));
        state.setLastArrivalWallClock(now);
        if (state.getLayersReceived() < state.getNumLayers()) {
            open.put(checkpointKey, state);
            return;
        }
        List<GatheredCheckpoint.Layer> all = removeLayers(checkpointKey);
        open.delete(checkpointKey);
        context.forward(record.withKey(layer.runId()).withValue(GatheredCheckpoint.complete(state, all, record.timestamp())));
    }

    private boolean isClosed(String runId, long checkpoint) {
        RunHistory h = history.get(runId);
        if (h == null) {
            return false;
        }
        if (checkpoint <= h.getForgottenBelow()) {
            return true;
        }
        for (ClosedCheckpoint c : h.getEntries()) {
            if (c.getCheckpoint() == checkpoint) {
                return true;
            }
        }
        return false;
    }

    /** Deletes a checkpoint's stored layers and returns them in layer order, with their stored bytes. */
    private List<GatheredCheckpoint.Layer> removeLayers(String checkpointKey) {
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = layers.prefixScan(StoreKeys.layerPrefix(checkpointKey), PREFIX_SERIALIZER)) {
            it.forEachRemaining(entries::add);
        }
        List<GatheredCheckpoint.Layer> out = new ArrayList<>(entries.size());
        for (KeyValue<String, byte[]> e : entries) {
            layers.delete(e.key);
            LayerValues values = decoded.remove(e.key);
            out.add(new GatheredCheckpoint.Layer(values != null ? values : reader.read(e.value), e.value));
        }
        return out;
    }

    /** Hands on, as incomplete, every checkpoint whose last layer came longer than the time-out ago. */
    private void expireStalled(long now) {
        List<OpenCheckpoint> stalled = new ArrayList<>();
        try (KeyValueIterator<String, OpenCheckpoint> it = open.all()) {
            while (it.hasNext()) {
                OpenCheckpoint state = it.next().value;
                if (now - state.getLastArrivalWallClock() >= settings.checkpointTimeout().toMillis()) {
                    stalled.add(state);
                }
            }
        }
        for (OpenCheckpoint state : stalled) {
            String checkpointKey = StoreKeys.checkpoint(state.getRunId(), state.getCheckpoint());
            List<GatheredCheckpoint.Layer> arrived = removeLayers(checkpointKey);
            open.delete(checkpointKey);
            GatheredCheckpoint gathered = GatheredCheckpoint.timedOut(state, arrived, now);
            context.forward(new Record<>(state.getRunId(), gathered, now));
        }
    }

    @Override
    public void close() {
        decoded.clear();
    }
}
