package dev.headgeo.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunState;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.stream.StoreKeys;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The API's JSON, read from this instance's own state stores (interactive queries): run summaries,
 * a run's checkpoints and alerts, a kept report. {@link Scope#ACTIVE} reads the partitions this
 * instance processes; {@link Scope#ANY} adds its standby replicas, so that a run whose owner has just
 * died still answers from the copy kept here. Which instance to ask is {@link InstanceRouter}'s business.
 *
 * @throws HttpError 503 (from every method) while the stores are being restored or migrated
 */
final class RunViews {
    private static final StringSerializer KEYS = new StringSerializer();
    /** The kept reports are stored as their Avro bytes (see HeadgeoTopology.RECENT_REPORTS_STORE). */
    private static final AvroCodec<CheckpointReport> REPORTS = new AvroCodec<>(CheckpointReport.getClassSchema());

    /** Which of this instance's copies a read may use. */
    enum Scope { ACTIVE, ANY }

    /** An answer and whether it came from the active copy (false: a standby replica). */
    record Copy(ObjectNode json, boolean active) {
    }

    private final KafkaStreams streams;

    RunViews(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * This instance's copies of a store; null when it holds none (no task of that kind here, or only standby
     * copies when asked for active ones) while RUNNING: such an instance is not missing, it has nothing to say.
     * A store that is not queryable during a rebalance is a 503.
     */
    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Scope scope) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> p =
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore());
        try {
            ReadOnlyKeyValueStore<String, V> store = streams.store(scope == Scope.ANY ? p.enableStaleStores() : p);
            // the store Kafka Streams hands out looks its copies up only when read: an instance with no task of this
            // store here (an idle instance, more instances than partitions) throws "may have migrated" then
            store.approximateNumEntries();
            return store;
        } catch (InvalidStateStoreException e) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return null;
            }
            throw HttpError.unavailable("this instance's stores are not queryable now (Kafka Streams is " + streams.state() + "); retry");
        }
    }

    private <V> List<V> values(String name, Scope scope) {
        List<V> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, V> store = store(name, scope);
        if (store != null) {
            try (KeyValueIterator<String, V> it = store.all()) {
                it.forEachRemaining(e -> out.add(e.value));
            }
        }
        return out;
    }

    /**
     * Every run this instance holds in {@code scope}, as RunSummary objects with their open checkpoints;
     * a run with open checkpoints only (its first still arriving) has a summary of those alone.
     */
    List<ObjectNode> runSummaries(Scope scope) {
        Map<String, List<OpenCheckpoint>> open = new LinkedHashMap<>();
        for (OpenCheckpoint o : this.<OpenCheckpoint>values(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, scope)) {
            open.computeIfAbsent(o.getRunId(), r -> new ArrayList<>()).add(o);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (RunState s : this.<RunState>values(HeadgeoTopology.RUN_STATE_STORE, scope)) {
            ObjectNode summary = summary(s);
            summary.set("open_checkpoints", openJson(open.remove(s.getRunId())));
            out.add(summary);
        }
        open.forEach((run, checkpoints) -> out.add(gatheringOnly(run, checkpoints)));
        return out;
    }

    /** The summary of a run none of whose checkpoints is closed yet. */
    private static ObjectNode gatheringOnly(String runId, List<OpenCheckpoint> open) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("run_id", runId);
        out.putNull("last_checkpoint");
        out.putNull("last_status");
        out.putNull("primary_anchor");
        out.putNull("verdict");
        out.putObject("verdicts");
        out.putObject("mean_residuals");
        out.putNull("forecast");
        out.put("checkpoints", 0);
        out.put("flips", 0);
        out.putNull("last_report_at");
        out.putNull("model");
        out.putObject("tags");
        out.set("open_checkpoints", openJson(open));
        return out;
    }

    /** §10's open_checkpoints entries, ascending by checkpoint. */
    private static ArrayNode openJson(List<OpenCheckpoint> open) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (open == null) {
            return out;
        }
        List<OpenCheckpoint> sorted = new ArrayList<>(open);
        sorted.sort(java.util.Comparator.comparingLong(OpenCheckpoint::getCheckpoint));
        for (OpenCheckpoint o : sorted) {
            ObjectNode c = out.addObject();
            c.put("checkpoint", o.getCheckpoint());
            c.put("received_layers", o.getLayersReceived());
            c.put("num_layers", o.getNumLayers());
            c.put("first_layer_at", o.getFirstLayerAt());
            c.put("last_layer_at", o.getLastLayerAt());
        }
        return out;
    }

    /** A run's open checkpoints in {@code scope} (key prefix run_id NUL), with the layers each still lacks. */
    private ArrayNode openCheckpoints(String runId, Scope scope) {
        ReadOnlyKeyValueStore<String, OpenCheckpoint> open = store(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, scope);
        ReadOnlyKeyValueStore<String, byte[]> layers = store(HeadgeoTopology.LAYERS_STORE, scope);
        List<OpenCheckpoint> found = new ArrayList<>();
        if (open != null) {
            try (KeyValueIterator<String, OpenCheckpoint> it = open.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                it.forEachRemaining(e -> found.add(e.value));
            }
        }
        ArrayNode out = openJson(found);
        for (int i = 0; i < out.size(); i++) {
            OpenCheckpoint o = found.get(i);
            ArrayNode missing = ((ObjectNode) out.get(i)).putArray("missing_layers");
            boolean[] have = new boolean[o.getNumLayers()];
            if (layers != null) {
                String prefix = StoreKeys.layerPrefix(StoreKeys.checkpoint(runId, o.getCheckpoint()));
                try (KeyValueIterator<String, byte[]> it = layers.prefixScan(prefix, KEYS)) {
                    it.forEachRemaining(e -> {
                        int layer = Integer.parseInt(e.key.substring(prefix.length()));
                        if (layer >= 0 && layer < have.length) {
                            have[layer] = true;
                        }
                    });
                }
            }
            for (int l = 0; l < have.length; l++) {
                if (!have[l]) {
                    missing.add(l);
                }
            }
        }
        return out;
    }

    /** Every run's state this instance processes (for the per-run metrics: only the owner exports a run). */
    List<RunState> runStates() {
        return values(HeadgeoTopology.RUN_STATE_STORE, Scope.ACTIVE);
    }

    /** Checkpoints whose layers are still arriving, in this instance's tasks. */
    long openCheckpoints() {
        ReadOnlyKeyValueStore<String, Object> store = store(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, Scope.ACTIVE);
        long n = 0;
        if (store != null) {
            try (KeyValueIterator<String, Object> it = store.all()) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The alerts this instance keeps in {@code scope} (of one run, or all when {@code runId} is null), unsorted. */
    List<ObjectNode> alerts(Scope scope, String runId) {
        List<ObjectNode> out = new ArrayList<>();
        List<RunState> runs;
        if (runId == null) {
            runs = values(HeadgeoTopology.RUN_STATE_STORE, scope);
        } else {
            ReadOnlyKeyValueStore<String, RunState> store = store(HeadgeoTopology.RUN_STATE_STORE, scope);
            RunState one = store == null ? null : store.get(runId);
            runs = one == null ? List.of() : List.of(one);
        }
        for (RunState run : runs) {
            run.getRecentAlerts().forEach(a -> out.add(AvroJson.toJson(a)));
        }
        return out;
    }

    /** {@code /api/runs/{run}} from the active copy here, else from a standby copy here, else null. */
    Copy run(String runId) {
        return locate(scope -> run(runId, scope));
    }

    /** The kept report of a checkpoint, active copy first; null when this instance has none. */
    Copy report(String runId, long checkpoint) {
        return locate(scope -> {
            ReadOnlyKeyValueStore<String, byte[]> store = store(HeadgeoTopology.RECENT_REPORTS_STORE, scope);
            byte[] report = store == null ? null : store.get(StoreKeys.checkpoint(runId, checkpoint));
            return report == null ? null : AvroJson.toJson(REPORTS.decode(report));
        });
    }

    /** A run's kept history for export: {@code summaries} (every kept checkpoint) and {@code reports} (the kept full ones), ascending. */
    Copy history(String runId) {
        return locate(scope -> {
            ReadOnlyKeyValueStore<String, CheckpointSummary> summaries = store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE, scope);
            ReadOnlyKeyValueStore<String, byte[]> reports = store(HeadgeoTopology.RECENT_REPORTS_STORE, scope);
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode s = out.putArray("summaries");
            ArrayNode r = out.putArray("reports");
            if (summaries != null) {
                try (KeyValueIterator<String, CheckpointSummary> it = summaries.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                    it.forEachRemaining(e -> s.add(AvroJson.toJson(e.value)));
                }
            }
            if (reports != null) {
                try (KeyValueIterator<String, byte[]> it = reports.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                    it.forEachRemaining(e -> r.add(AvroJson.toJson(REPORTS.decode(e.value))));
                }
            }
            return s.isEmpty() && r.isEmpty() ? null : out;
        });
    }

    /** The active copy, else a standby copy; unavailable (503) only when neither could be read. */
    private static Copy locate(java.util.function.Function<Scope, ObjectNode> read) {
        HttpError unavailable = null;
        for (Scope scope : Scope.values()) {
            try {
                ObjectNode json = read.apply(scope);
                if (json != null) {
                    return new Copy(json, scope == Scope.ACTIVE);
                }
            } catch (HttpError e) {
                unavailable = e;
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        return null;
    }

    private ObjectNode run(String runId, Scope scope) {
        ReadOnlyKeyValueStore<String, RunState> runs = store(HeadgeoTopology.RUN_STATE_STORE, scope);
        RunState state = runs == null ? null : runs.get(runId);
        ArrayNode open = openCheckpoints(runId, scope);
        if (state == null) {
            if (open.isEmpty()) {
                return null;
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("run_id", runId);
            out.putNull("primary_anchor");
            out.putNull("model");
            out.putObject("tags");
            out.set("open_checkpoints", open);
            out.putArray("checkpoints");
            out.putArray("alerts");
            out.putNull("forecast");
            return out;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("run_id", runId);
        out.put("primary_anchor", state.getPrimaryAnchor().name());
        out.put("model", state.getModel());
        ObjectNode tags = out.putObject("tags");
        state.getTags().forEach(tags::put);
        out.set("open_checkpoints", open);
        ArrayNode checkpoints = out.putArray("checkpoints");
        ReadOnlyKeyValueStore<String, CheckpointSummary> summaries = store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE, scope);
        if (summaries != null) {
            try (KeyValueIterator<String, CheckpointSummary> it = summaries.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                it.forEachRemaining(e -> checkpoints.add(AvroJson.toJson(e.value)));
            }
        }
        ArrayNode alerts = out.putArray("alerts");
        state.getRecentAlerts().forEach(a -> alerts.add(AvroJson.toJson(a)));
        if (state.getForecast() == null) {
            out.putNull("forecast");
        } else {
            out.set("forecast", AvroJson.toJson(state.getForecast()));
        }
        return out;
    }

    /** RunSummary: the run's latest checkpoint, and the verdicts of its latest complete one. */
    static ObjectNode summary(RunState s) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("run_id", s.getRunId());
        out.put("last_checkpoint", s.getLastCheckpoint());
        out.put("last_status", s.getLastStatus().name());
        out.put("primary_anchor", s.getPrimaryAnchor().name());
        CheckpointSummary latest = s.getLatestComplete();
        if (latest == null || latest.getVerdict() == null) {
            out.putNull("verdict");
        } else {
            out.put("verdict", latest.getVerdict().name());
        }
        ObjectNode verdicts = out.putObject("verdicts");
        ObjectNode residuals = out.putObject("mean_residuals");
        for (Anchor a : Anchor.values()) {
            AnchorSummary fit = latest == null ? null : fit(latest, a);
            if (fit == null) {
                verdicts.putNull(a.name());
                residuals.putNull(a.name());
            } else {
                verdicts.put(a.name(), fit.getVerdict().name());
                residuals.put(a.name(), fit.getMeanResidual());
            }
        }
        if (s.getForecast() == null || s.getForecast().getBoundary() == null) {
            out.putNull("forecast");
        } else {
            out.putObject("forecast").put("boundary", s.getForecast().getBoundary())
                    .put("crossing_checkpoint", s.getForecast().getCrossingCheckpoint())
                    .put("trend_per_checkpoint", s.getForecast().getTrendPerCheckpoint());
        }
        out.put("checkpoints", s.getSummariesKept());
        out.put("flips", s.getFlips());
        out.put("last_report_at", s.getLastReportAt());
        out.put("model", s.getModel());
        ObjectNode tags = out.putObject("tags");
        s.getTags().forEach(tags::put);
        return out;
    }

    static AnchorSummary fit(CheckpointSummary summary, Anchor anchor) {
        for (AnchorSummary fit : summary.getFits()) {
            if (fit.getAnchor() == anchor) {
                return fit;
            }
        }
        return null;
    }
}
