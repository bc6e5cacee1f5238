package dev.headgeo.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.RunState;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.stream.StoreKeys;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The API's JSON, read from this instance's own state stores (interactive queries over its active
 * tasks): run summaries, a run's checkpoints and alerts, a kept report. Which instance to ask is
 * {@link InstanceRouter}'s business.
 *
 * @throws org.apache.kafka.streams.errors.InvalidStateStoreException (from every method) while the
 *     stores are being restored or migrated
 */
final class RunViews {
    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;

    RunViews(KafkaStreams streams) {
        this.streams = streams;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** Every run this instance owns, as RunSummary objects. */
    List<ObjectNode> runSummaries() {
        List<ObjectNode> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, RunState> runs = store(HeadgeoTopology.RUN_STATE_STORE);
        try (KeyValueIterator<String, RunState> it = runs.all()) {
            it.forEachRemaining(e -> out.add(summary(e.value)));
        }
        return out;
    }

    /** Every run's state this instance owns (for the per-run metrics). */
    List<RunState> runStates() {
        List<RunState> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, RunState> runs = store(HeadgeoTopology.RUN_STATE_STORE);
        try (KeyValueIterator<String, RunState> it = runs.all()) {
            it.forEachRemaining(e -> out.add(e.value));
        }
        return out;
    }

    /** Checkpoints whose layers are still arriving, in this instance's tasks. */
    long openCheckpoints() {
        long n = 0;
        try (KeyValueIterator<String, Object> it = this.<Object>store(HeadgeoTopology.OPEN_CHECKPOINTS_STORE).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** The alerts this instance keeps, newest first. */
    List<ObjectNode> alerts() {
        List<Alert> all = new ArrayList<>();
        for (RunState run : runStates()) {
            all.addAll(run.getRecentAlerts());
        }
        all.sort(Comparator.comparing(Alert::getRaisedAt).reversed());
        List<ObjectNode> out = new ArrayList<>(all.size());
        all.forEach(a -> out.add(AvroJson.toJson(a)));
        return out;
    }

    /** {@code /api/runs/{run}}, or null when this instance has no such run. */
    ObjectNode run(String runId) {
        RunState state = this.<RunState>store(HeadgeoTopology.RUN_STATE_STORE).get(runId);
        if (state == null) {
            return null;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("run_id", runId);
        out.put("primary_anchor", state.getPrimaryAnchor().name());
        ArrayNode checkpoints = out.putArray("checkpoints");
        ReadOnlyKeyValueStore<String, CheckpointSummary> summaries = store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE);
        try (KeyValueIterator<String, CheckpointSummary> it = summaries.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
            it.forEachRemaining(e -> checkpoints.add(AvroJson.toJson(e.value)));
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

    /** The kept report of a checkpoint, or null. */
    ObjectNode report(String runId, long checkpoint) {
        CheckpointReport report = this.<CheckpointReport>store(HeadgeoTopology.RECENT_REPORTS_STORE)
                .get(StoreKeys.checkpoint(runId, checkpoint));
        return report == null ? null : AvroJson.toJson(report);
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
