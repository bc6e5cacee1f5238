package dev.headgeo.stream;

import dev.headgeo.avro.ClosedCheckpoint;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.util.Printable;
import dev.headgeo.wire.LayerReader;
import dev.headgeo.wire.LayerValues;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers a checkpoint's layers, one store entry per layer, until all {@code num_layers} are there,
 * then hands the checkpoint on and forgets it. A wall-clock punctuator hands on checkpoints whose
 * layers stopped arriving as incomplete. Records it cannot use are rejected with their reason
 * (INVALID, TOO_LARGE, INCONSISTENT_CHECKPOINT, LATE, in that order) and never touch the stores.
 */
final class GatherLayersProcessor
        implements Processor<String, Flow.ReceivedLayer, String, Flow.GatherOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(GatherLayersProcessor.class);
    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final StreamSettings settings;
    private final LayerReader reader = new LayerReader();
    private ProcessorContext<String, Flow.GatherOutput> context;

    /**
     * One entry per layer: the record in Avro single-object encoding (its bytes as received when it
     * came so).
     */
    private KeyValueStore<String, byte[]> layers;

    /**
     * Bytes of the layers in {@code layers}, counted at init (the store may have been restored) and
     * kept since.
     */
    private long openBytes;

    private final OpenLayerBudget budget;
    private final DecodedLayers decoded = new DecodedLayers(DecodedLayers.DEFAULT_BUDGET_BYTES);
    private KeyValueStore<String, OpenCheckpoint> open;
    private KeyValueStore<String, RunHistory> history;

    private final DeadLetters deadLetters;

    GatherLayersProcessor(
            StreamSettings settings, OpenLayerBudget budget, DeadLetters deadLetters) {
        this.settings = settings;
        this.budget = budget;
        this.deadLetters = deadLetters;
    }

    @Override
    public void init(ProcessorContext<String, Flow.GatherOutput> context) {
        this.context = context;
        // a task revived after an exactly-once abort re-initialises on restored stores
        decoded.clear();
        this.layers = context.getStateStore(HeadgeoTopology.LAYERS_STORE);
        budget.add(-openBytes);
        openBytes = 0;
        try (KeyValueIterator<String, byte[]> it = layers.all()) {
            it.forEachRemaining(e -> openBytes += e.value.length);
        }
        budget.add(openBytes);
        this.open = context.getStateStore(HeadgeoTopology.OPEN_CHECKPOINTS_STORE);
        this.history = context.getStateStore(HeadgeoTopology.RUN_HISTORY_STORE);
        context.schedule(
                settings.punctuationInterval(),
                PunctuationType.WALL_CLOCK_TIME,
                this::expireStalled);
    }

    /**
     * Runs whose producer this task has named since it started (bounded: the oldest are forgotten).
     */
    private final java.util.Map<String, Boolean> producerLogged =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            };

    private void logProducerOnce(String runId, org.apache.kafka.common.header.Headers headers) {
        if (producerLogged.put(runId, Boolean.TRUE) == null) {
            String producer = dev.headgeo.wire.ProducerHeader.of(headers);
            LOG.info(
                    "run {}: layer records from {}",
                    Printable.of(runId),
                    producer == null ? "a producer without a headgeo.producer header" : producer);
        }
    }

    @Override
    public void process(Record<String, Flow.ReceivedLayer> record) {
        LayerValues layer = record.value().values();
        String problem =
                LayerValidation.problem(RawKeys.text(record.key()), layer, settings.limits());
        if (problem != null) {
            reject(record, RejectReason.INVALID, problem);
            return;
        }
        byte[] stored = record.value().avro();
        String checkpointKey = StoreKeys.checkpoint(layer.runId(), layer.checkpoint());
        OpenCheckpoint state = open.get(checkpointKey);
        if (state != null
                && (state.getNumLayers() != layer.numLayers()
                        || state.getNumHeads() != layer.numHeads())) {
            reject(
                    record,
                    RejectReason.INCONSISTENT_CHECKPOINT,
                    "layer "
                            + layer.layer()
                            + " says "
                            + layer.numLayers()
                            + " layers × "
                            + layer.numHeads()
                            + " heads, checkpoint "
                            + layer.checkpoint()
                            + " started with "
                            + state.getNumLayers()
                            + " × "
                            + state.getNumHeads());
            return;
        }
        if (state == null && isClosed(layer.runId(), layer.checkpoint())) {
            reject(
                    record,
                    RejectReason.LATE,
                    "checkpoint "
                            + layer.checkpoint()
                            + " of run "
                            + layer.runId()
                            + " was already reported");
            return;
        }
        long now = context.currentSystemTimeMs();
        logProducerOnce(layer.runId(), record.headers());
        if (state == null) {
            state =
                    new OpenCheckpoint(
                            layer.runId(),
                            layer.checkpoint(),
                            layer.numLayers(),
                            layer.numHeads(),
                            0,
                            record.timestamp(),
                            record.timestamp(),
                            now);
        }
        String layerKey = StoreKeys.layer(checkpointKey, layer.layer());
        byte[] earlier = layers.get(layerKey);
        if (earlier == null) {
            state.setLayersReceived(state.getLayersReceived() + 1);
        }
        // A duplicate replaces the earlier copy.
        layers.put(layerKey, stored);
        held(stored.length - (earlier == null ? 0 : earlier.length));
        decoded.put(layerKey, layer, stored.length);
        state.setFirstLayerAt(Math.min(state.getFirstLayerAt(), record.timestamp()));
        state.setLastLayerAt(Math.max(state.getLastLayerAt(), record.timestamp()));
        state.setLastArrivalWallClock(now);
        if (state.getLayersReceived() < state.getNumLayers()) {
            open.put(checkpointKey, state);
            closeQuietestWhileOverBudget(checkpointKey, now);
            return;
        }
        List<GatheredCheckpoint.Layer> all = removeLayers(checkpointKey);
        open.delete(checkpointKey);
        HeadgeoTopology.ANALYZE.send(
                context,
                record.withKey(layer.runId())
                        .withValue(GatheredCheckpoint.complete(state, all, record.timestamp())));
    }

    private void reject(
            Record<String, Flow.ReceivedLayer> record, RejectReason reason, String detail) {
        Record<String, Flow.DeadLetter> dead =
                deadLetters.of(
                        record.key(),
                        record.value().received(),
                        record.timestamp(),
                        DeadLetters.sourceOf(context, record),
                        reason,
                        detail,
                        null);
        LOG.warn("dead letter {} {}: {}", reason, DeadLetters.where(dead), Printable.of(detail));
        HeadgeoTopology.DEAD_LETTERS.send(context, dead);
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

    /**
     * Deletes a checkpoint's stored layers and returns them in layer order, with their stored
     * bytes.
     */
    private List<GatheredCheckpoint.Layer> removeLayers(String checkpointKey) {
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it =
                layers.prefixScan(StoreKeys.layerPrefix(checkpointKey), PREFIX_SERIALIZER)) {
            it.forEachRemaining(entries::add);
        }
        List<GatheredCheckpoint.Layer> out = new ArrayList<>(entries.size());
        for (KeyValue<String, byte[]> e : entries) {
            layers.delete(e.key);
            held(-e.value.length);
            LayerValues values = decoded.take(e.key);
            out.add(
                    new GatheredCheckpoint.Layer(
                            values != null ? values : reader.read(e.value), e.value));
        }
        return out;
    }

    /**
     * Hands on, as incomplete, every checkpoint whose last layer came longer than the time-out ago.
     */
    private void expireStalled(long now) {
        List<OpenCheckpoint> stalled = new ArrayList<>();
        try (KeyValueIterator<String, OpenCheckpoint> it = open.all()) {
            while (it.hasNext()) {
                OpenCheckpoint state = it.next().value;
                if (now - state.getLastArrivalWallClock()
                        >= settings.checkpointTimeout().toMillis()) {
                    stalled.add(state);
                }
            }
        }
        for (OpenCheckpoint state : stalled) {
            closeIncomplete(state, now);
        }
    }

    private void held(long bytes) {
        openBytes += bytes;
        budget.add(bytes);
    }

    /**
     * Holds the layers of open checkpoints within {@code --max-open-layer-bytes} (all tasks of this
     * instance together): while over it, this task's open checkpoint whose last layer came longest
     * ago (never {@code current}) is handed on as incomplete now instead of at its time-out, so
     * that a flood of never-finished checkpoints costs early INCOMPLETE reports, not the
     * processor's memory.
     */
    private void closeQuietestWhileOverBudget(String current, long now) {
        while (budget.exceeded()) {
            OpenCheckpoint quietest = null;
            try (KeyValueIterator<String, OpenCheckpoint> it = open.all()) {
                while (it.hasNext()) {
                    KeyValue<String, OpenCheckpoint> e = it.next();
                    if (!e.key.equals(current)
                            && (quietest == null
                                    || e.value.getLastArrivalWallClock()
                                            < quietest.getLastArrivalWallClock())) {
                        quietest = e.value;
                    }
                }
            }
            if (quietest == null) {
                return;
            }
            LOG.warn(
                    "open checkpoints hold {} bytes of layers, over --max-open-layer-bytes {}:"
                            + " closing checkpoint {} of run {} as incomplete before its time-out",
                    budget.held(),
                    budget.maxBytes(),
                    quietest.getCheckpoint(),
                    quietest.getRunId());
            closeIncomplete(quietest, now);
        }
    }

    private void closeIncomplete(OpenCheckpoint state, long now) {
        String checkpointKey = StoreKeys.checkpoint(state.getRunId(), state.getCheckpoint());
        List<GatheredCheckpoint.Layer> arrived = removeLayers(checkpointKey);
        open.delete(checkpointKey);
        HeadgeoTopology.ANALYZE.send(
                context,
                new Record<>(
                        state.getRunId(), GatheredCheckpoint.timedOut(state, arrived, now), now));
    }

    @Override
    public void close() {
        decoded.clear();
        budget.add(-openBytes);
        openBytes = 0;
    }
}
