package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.wire.Compatibility;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Keeps each run's bounded history of closed checkpoints (its store) and sends what {@link
 * VerdictDecisions} decides for each closed checkpoint: alerts to the alerts topic and
 * remember-runs, the run's redrawn forecast to remember-runs only. Runs quiet for longer than the
 * retention are forgotten.
 */
final class TrackVerdictsProcessor
        implements Processor<String, Flow.CheckpointOutcome, String, Flow.RunEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(TrackVerdictsProcessor.class);

    private final Duration retention;
    private final Duration sweepInterval;
    private final VerdictDecisions decisions;
    private final HeadgeoMetrics metrics;
    private final Compatibility written;
    private ProcessorContext<String, Flow.RunEvent> context;
    private KeyValueStore<String, RunHistory> history;

    TrackVerdictsProcessor(StreamSettings settings, HeadgeoMetrics metrics) {
        this(settings, metrics, Compatibility.CURRENT);
    }

    /**
     * @param written during a rolling upgrade, alerts the release replaced cannot read are not sent
     *     (see Compatibility)
     */
    TrackVerdictsProcessor(StreamSettings settings, HeadgeoMetrics metrics, Compatibility written) {
        this.written = written;
        this.retention = settings.historyRetention();
        this.sweepInterval = settings.historySweepInterval();
        this.decisions = new VerdictDecisions(settings.alerts(), settings.historySize());
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Flow.RunEvent> context) {
        this.context = context;
        this.history = context.getStateStore(HeadgeoTopology.RUN_HISTORY_STORE);
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, this::forgetQuietRuns);
    }

    /**
     * Drops the history of runs with no report for longer than the retention, so state stays
     * bounded across runs.
     */
    private void forgetQuietRuns(long now) {
        List<String> quiet = new ArrayList<>();
        try (KeyValueIterator<String, RunHistory> it = history.all()) {
            while (it.hasNext()) {
                KeyValue<String, RunHistory> e = it.next();
                if (now - e.value.getLastClosedAt() > retention.toMillis()) {
                    quiet.add(e.key);
                }
            }
        }
        quiet.forEach(history::delete);
    }

    @Override
    public void process(Record<String, Flow.CheckpointOutcome> record) {
        record.value()
                .dispatch(
                        reported -> closed(record, reported.report()),
                        failure ->
                                raise(
                                        record,
                                        RunAlerts.analysisFailed(
                                                failure, context.currentSystemTimeMs())));
    }

    private void closed(Record<String, ?> record, CheckpointReport report) {
        VerdictDecisions.Outcome outcome =
                decisions.closed(
                        history.get(report.getRunId()), report, context.currentSystemTimeMs());
        for (VerdictDecisions.Decision d : outcome.decisions()) {
            if (d instanceof VerdictDecisions.Raise r) {
                raise(record, r.alert());
            } else if (d instanceof VerdictDecisions.Redrawn f) {
                HeadgeoTopology.REMEMBER.send(
                        context, record.withValue(new Flow.ForecastChanged(f.forecast())));
            }
        }
        history.put(report.getRunId(), outcome.history());
    }

    private void raise(Record<String, ?> cause, Alert alert) {
        if (!written.writes(alert)) {
            LOG.info(
                    "alert {} not sent: release {} does not know {} alerts (until the second bounce"
                            + " of the upgrade)",
                    alert.getMessage(),
                    written.upgradeFrom(),
                    alert.getType());
            return;
        }
        LOG.info("alert {}", alert.getMessage());
        metrics.alertRaised(alert.getType());
        Record<String, Flow.RaisedAlert> raised = cause.withValue(new Flow.RaisedAlert(alert));
        HeadgeoTopology.ALERTS.send(context, raised);
        HeadgeoTopology.REMEMBER.send(context, raised);
    }
}
