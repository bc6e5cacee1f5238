package dev.headgeo.http;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunState;
import dev.headgeo.http.api.KeptHistory;
import dev.headgeo.http.api.OpenCheckpointView;
import dev.headgeo.http.api.RunDetail;
import dev.headgeo.http.api.RunSummary;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.stream.StoreKeys;
import dev.headgeo.wire.AvroCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The API's answers, read from this instance's own state stores (interactive queries): run
 * summaries, a run's checkpoints and alerts, a kept report. {@link Scope#ACTIVE} reads the
 * partitions this instance processes; {@link Scope#ANY} adds its standby replicas, so that a run
 * whose owner has just died still answers from the copy kept here. Which instance to ask is {@link
 * InstanceRouter}'s business.
 *
 * @throws HttpError 503 (from every method) while the stores are being restored or migrated
 */
final class RunViews {
    static final StringSerializer KEYS = new StringSerializer();

    /**
     * The kept reports are stored as their Avro bytes (see HeadgeoTopology.RECENT_REPORTS_STORE).
     */
    static final AvroCodec<CheckpointReport> REPORTS =
            new AvroCodec<>(CheckpointReport.getClassSchema());

    /** Which of this instance's copies a read may use. */
    enum Scope {
        ACTIVE,
        ANY
    }

    /** An answer and whether it came from the active copy (false: a standby replica). */
    record Copy<T>(T value, boolean active) {}

    private final KafkaStreams streams;

    RunViews(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * This instance's copies of a store; null when it holds none (no task of that kind here, or
     * only standby copies when asked for active ones) while RUNNING: such an instance is not
     * missing, it has nothing to say. A store that is not queryable during a rebalance is a 503.
     */
    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Scope scope) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> p =
                StoreQueryParameters.fromNameAndType(
                        name, QueryableStoreTypes.<String, V>keyValueStore());
        try {
            ReadOnlyKeyValueStore<String, V> store =
                    streams.store(scope == Scope.ANY ? p.enableStaleStores() : p);
            // the store Kafka Streams hands out looks its copies up only when read: an instance
            // with no task of this
            // store here (an idle instance, more instances than partitions) throws "may have
            // migrated" then
            store.approximateNumEntries();
            return store;
        } catch (InvalidStateStoreException e) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return null;
            }
            throw HttpError.unavailable(
                    "this instance's stores are not queryable now (Kafka Streams is "
                            + streams.state()
                            + "); retry");
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
     * Every run this instance holds in {@code scope}, with their open checkpoints; a run with open
     * checkpoints only (its first still arriving) has a summary of those alone.
     */
    List<RunSummary> runSummaries(Scope scope) {
        Map<String, List<OpenCheckpoint>> open = new LinkedHashMap<>();
        for (OpenCheckpoint o :
                this.<OpenCheckpoint>values(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, scope)) {
            open.computeIfAbsent(o.getRunId(), r -> new ArrayList<>()).add(o);
        }
        List<RunSummary> out = new ArrayList<>();
        for (RunState s : this.<RunState>values(HeadgeoTopology.RUN_STATE_STORE, scope)) {
            out.add(RunSummaries.of(s, OpenCheckpointViews.of(open.remove(s.getRunId()), null)));
        }
        open.forEach(
                (run, checkpoints) ->
                        out.add(
                                RunSummary.gathering(
                                        run, OpenCheckpointViews.of(checkpoints, null))));
        return out;
    }

    /**
     * A run's open checkpoints in {@code scope} (key prefix run_id NUL), with the layers each still
     * lacks.
     */
    private List<OpenCheckpointView> openCheckpoints(String runId, Scope scope) {
        ReadOnlyKeyValueStore<String, OpenCheckpoint> open =
                store(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, scope);
        ReadOnlyKeyValueStore<String, byte[]> layers = store(HeadgeoTopology.LAYERS_STORE, scope);
        List<OpenCheckpoint> found = new ArrayList<>();
        if (open != null) {
            try (KeyValueIterator<String, OpenCheckpoint> it =
                    open.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                it.forEachRemaining(e -> found.add(e.value));
            }
        }
        return OpenCheckpointViews.of(
                found, o -> OpenCheckpointViews.missingLayers(o, layers, KEYS));
    }

    /**
     * Every run's state this instance processes (for the per-run metrics: only the owner exports a
     * run).
     */
    List<RunState> runStates() {
        return values(HeadgeoTopology.RUN_STATE_STORE, Scope.ACTIVE);
    }

    /** Checkpoints whose layers are still arriving, in this instance's tasks. */
    long openCheckpoints() {
        ReadOnlyKeyValueStore<String, Object> store =
                store(HeadgeoTopology.OPEN_CHECKPOINTS_STORE, Scope.ACTIVE);
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

    /**
     * The alerts this instance keeps in {@code scope} (of one run, or all when {@code runId} is
     * null), unsorted.
     */
    List<Alert> alerts(Scope scope, String runId) {
        List<RunState> runs;
        if (runId == null) {
            runs = values(HeadgeoTopology.RUN_STATE_STORE, scope);
        } else {
            ReadOnlyKeyValueStore<String, RunState> store =
                    store(HeadgeoTopology.RUN_STATE_STORE, scope);
            RunState one = store == null ? null : store.get(runId);
            runs = one == null ? List.of() : List.of(one);
        }
        List<Alert> out = new ArrayList<>();
        runs.forEach(run -> out.addAll(run.getRecentAlerts()));
        return out;
    }

    /**
     * {@code /api/runs/{run}} from the active copy here, else from a standby copy here, else null.
     */
    Copy<RunDetail> run(String runId) {
        return locate(scope -> run(runId, scope));
    }

    /** The kept report of a checkpoint, active copy first; null when this instance has none. */
    Copy<CheckpointReport> report(String runId, long checkpoint) {
        return locate(
                scope -> {
                    ReadOnlyKeyValueStore<String, byte[]> store =
                            store(HeadgeoTopology.RECENT_REPORTS_STORE, scope);
                    byte[] report =
                            store == null
                                    ? null
                                    : store.get(StoreKeys.checkpoint(runId, checkpoint));
                    return report == null ? null : REPORTS.decode(report);
                });
    }

    /** A run's kept history for export, ascending. */
    Copy<KeptHistory> history(String runId) {
        return locate(
                scope -> {
                    List<CheckpointSummary> summaries = summaries(runId, scope);
                    List<CheckpointReport> reports = new ArrayList<>();
                    ReadOnlyKeyValueStore<String, byte[]> kept =
                            store(HeadgeoTopology.RECENT_REPORTS_STORE, scope);
                    if (kept != null) {
                        try (KeyValueIterator<String, byte[]> it =
                                kept.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                            it.forEachRemaining(e -> reports.add(REPORTS.decode(e.value)));
                        }
                    }
                    return summaries.isEmpty() && reports.isEmpty()
                            ? null
                            : new KeptHistory(summaries, reports);
                });
    }

    /**
     * Whether this instance processes {@code runId} (holds its active copy), so that its export can
     * be streamed from here.
     */
    boolean holdsActive(String runId) {
        ReadOnlyKeyValueStore<String, CheckpointSummary> summaries =
                store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE, Scope.ACTIVE);
        if (summaries == null) {
            return false;
        }
        try (KeyValueIterator<String, CheckpointSummary> it =
                summaries.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
            return it.hasNext();
        }
    }

    /**
     * Writes the run's export from this instance's active copy as its entries are read: nothing is
     * held whole.
     */
    void writeExport(String runId, RunExport.Format format, java.io.OutputStream out)
            throws java.io.IOException {
        RunExport.write(
                runId,
                format,
                store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE, Scope.ACTIVE),
                store(HeadgeoTopology.RECENT_REPORTS_STORE, Scope.ACTIVE),
                out);
    }

    private List<CheckpointSummary> summaries(String runId, Scope scope) {
        List<CheckpointSummary> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, CheckpointSummary> summaries =
                store(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE, scope);
        if (summaries != null) {
            try (KeyValueIterator<String, CheckpointSummary> it =
                    summaries.prefixScan(StoreKeys.runPrefix(runId), KEYS)) {
                it.forEachRemaining(e -> out.add(e.value));
            }
        }
        return out;
    }

    /** The active copy, else a standby copy; unavailable (503) only when neither could be read. */
    private static <T> Copy<T> locate(Function<Scope, T> read) {
        HttpError unavailable = null;
        for (Scope scope : Scope.values()) {
            try {
                T value = read.apply(scope);
                if (value != null) {
                    return new Copy<>(value, scope == Scope.ACTIVE);
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

    private RunDetail run(String runId, Scope scope) {
        ReadOnlyKeyValueStore<String, RunState> runs =
                store(HeadgeoTopology.RUN_STATE_STORE, scope);
        RunState state = runs == null ? null : runs.get(runId);
        List<OpenCheckpointView> open = openCheckpoints(runId, scope);
        if (state == null) {
            return open.isEmpty()
                    ? null
                    : new RunDetail(runId, null, null, Map.of(), open, List.of(), List.of(), null);
        }
        return new RunDetail(
                runId,
                state.getPrimaryAnchor(),
                state.getModel(),
                state.getTags(),
                open,
                summaries(runId, scope),
                state.getRecentAlerts(),
                state.getForecast());
    }
}
