package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.Forecast;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunState;
import dev.headgeo.report.Summaries;
import dev.headgeo.wire.Compatibility;
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

/**
 * Keeps what the HTTP API and the per-run metrics show, queryable by interactive queries: per run a
 * {@code RunState} (latest checkpoint, latest complete summary, alert counts, recent alerts), its
 * recent checkpoints' summaries one entry each (as many as the run history keeps) and its most
 * recent full reports (as many as the settings keep). Takes reports from analyze-checkpoint and
 * alerts from track-verdicts, in either order. A run's entries go when it has been quiet for the
 * history retention, as its history does.
 */
final class RememberRunsProcessor implements Processor<String, Flow.RunEvent, Void, Void> {
    /** Alerts kept per run. */
    static final int RECENT_ALERTS = 50;

    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final StreamSettings settings;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, RunState> runs;
    private KeyValueStore<String, CheckpointSummary> summaries;

    /** Avro single-object bytes of the reports (see HeadgeoTopology.RECENT_REPORTS_STORE). */
    private KeyValueStore<String, byte[]> reports;

    private final Compatibility written;

    RememberRunsProcessor(StreamSettings settings) {
        this(settings, Compatibility.CURRENT);
    }

    /**
     * @param written the record versions written: during a rolling upgrade, run states the release
     *     replaced can read
     */
    RememberRunsProcessor(StreamSettings settings, Compatibility written) {
        this.settings = settings;
        this.written = written;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.runs = context.getStateStore(HeadgeoTopology.RUN_STATE_STORE);
        this.summaries = context.getStateStore(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE);
        this.reports = context.getStateStore(HeadgeoTopology.RECENT_REPORTS_STORE);
        context.schedule(
                settings.historySweepInterval(),
                PunctuationType.WALL_CLOCK_TIME,
                this::forgetQuietRuns);
    }

    @Override
    public void process(Record<String, Flow.RunEvent> record) {
        record.value()
                .dispatch(
                        reported -> remember(reported.report(), reported.avro()),
                        raised -> remember(raised.alert()),
                        changed -> remember(record.key(), changed.forecast()));
    }

    private void remember(String runId, Forecast forecast) {
        RunState state = stateOf(runId, null);
        state.setForecast(forecast);
        runs.put(runId, written.fit(state));
    }

    private RunState stateOf(String runId, CheckpointReport report) {
        RunState state = runs.get(runId);
        if (state == null) {
            state =
                    RunState.newBuilder()
                            .setRunId(runId)
                            .setPrimaryAnchor(
                                    report == null
                                            ? dev.headgeo.avro.Anchor.LAST
                                            : report.getPrimaryAnchor())
                            .setLastCheckpoint(-1)
                            .setLastStatus(ReportStatus.INCOMPLETE)
                            .setLastReportAt(context.currentSystemTimeMs())
                            .setRecentAlerts(new ArrayList<>())
                            .build();
        }
        return state;
    }

    private void remember(CheckpointReport report, byte[] avro) {
        RunState state = stateOf(report.getRunId(), report);
        String key = StoreKeys.checkpoint(report.getRunId(), report.getCheckpoint());
        CheckpointSummary summary = Summaries.of(report);
        if (summaries.get(key) == null) {
            state.setSummariesKept(state.getSummariesKept() + 1);
        }
        summaries.put(key, summary);
        if (reports.get(key) == null) {
            state.setReportsKept(state.getReportsKept() + 1);
        }
        reports.put(key, avro);
        state.setSummariesKept(
                trim(
                        summaries,
                        report.getRunId(),
                        state.getSummariesKept(),
                        settings.historySize()));
        state.setReportsKept(
                trim(reports, report.getRunId(), state.getReportsKept(), settings.keptReports()));
        if (report.getCheckpoint() >= state.getLastCheckpoint()) {
            state.setLastCheckpoint(report.getCheckpoint());
            state.setLastStatus(report.getStatus());
            state.setTags(report.getTags());
            if (report.getModel() != null) {
                state.setModel(report.getModel());
            }
        }
        CheckpointSummary latest = state.getLatestComplete();
        if (report.getStatus() == ReportStatus.COMPLETE
                && (latest == null || report.getCheckpoint() >= latest.getCheckpoint())) {
            state.setLatestComplete(summary);
        }
        state.setPrimaryAnchor(report.getPrimaryAnchor());
        state.setLastReportAt(context.currentSystemTimeMs());
        runs.put(report.getRunId(), written.fit(state));
    }

    private void remember(Alert alert) {
        RunState state = stateOf(alert.getRunId(), null);
        if (alert.getType() == AlertType.VERDICT_FLIP) {
            state.setFlips(state.getFlips() + 1);
            if (alert.getEarlierVerdict() != null
                    && alert.getLaterVerdict() != null
                    && RunAlerts.better(alert.getEarlierVerdict(), alert.getLaterVerdict())) {
                state.setFlipsBetter(state.getFlipsBetter() + 1);
            }
        } else if (alert.getType() == AlertType.INCOMPLETE_CHECKPOINT) {
            state.setIncompleteCheckpoints(state.getIncompleteCheckpoints() + 1);
        }
        List<Alert> recent = new ArrayList<>(state.getRecentAlerts());
        recent.add(alert);
        while (recent.size() > RECENT_ALERTS) {
            recent.remove(0);
        }
        state.setRecentAlerts(recent);
        runs.put(alert.getRunId(), written.fit(state));
    }

    /**
     * Deletes a run's oldest entries until at most {@code limit} remain; returns how many remain.
     */
    private static <V> int trim(
            KeyValueStore<String, V> store, String runId, int count, int limit) {
        if (count <= limit) {
            return count;
        }
        List<String> oldest = new ArrayList<>();
        try (KeyValueIterator<String, V> it =
                store.prefixScan(StoreKeys.runPrefix(runId), PREFIX_SERIALIZER)) {
            while (it.hasNext() && oldest.size() < count - limit) {
                oldest.add(it.next().key);
            }
        }
        oldest.forEach(store::delete);
        return count - oldest.size();
    }

    private void forgetQuietRuns(long now) {
        List<String> quiet = new ArrayList<>();
        try (KeyValueIterator<String, RunState> it = runs.all()) {
            while (it.hasNext()) {
                KeyValue<String, RunState> e = it.next();
                if (now - e.value.getLastReportAt() > settings.historyRetention().toMillis()) {
                    quiet.add(e.key);
                }
            }
        }
        for (String runId : quiet) {
            trim(summaries, runId, Integer.MAX_VALUE, 0);
            trim(reports, runId, Integer.MAX_VALUE, 0);
            runs.delete(runId);
        }
    }
}
