package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ClosedCheckpoint;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.report.Reports;
import java.time.Duration;
import java.time.Instant;
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
 * Keeps each run's bounded history of closed checkpoints and raises alerts: VERDICT_FLIP when a
 * completed checkpoint's verdict differs from its nearest earlier or nearest later completed
 * neighbour (by checkpoint number, so out-of-order completion alerts each differing pair once),
 * INCOMPLETE_CHECKPOINT when a checkpoint timed out.
 */
final class TrackVerdictsProcessor implements Processor<String, CheckpointReport, String, Alert> {
    private static final Logger LOG = LoggerFactory.getLogger(TrackVerdictsProcessor.class);
    private final int historySize;
    private final Duration retention;
    private final Duration sweepInterval;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, RunHistory> history;

    private final HeadgeoMetrics metrics;

    TrackVerdictsProcessor(StreamSettings settings, HeadgeoMetrics metrics) {
        this.metrics = metrics;
        this.historySize = settings.historySize();
        this.retention = settings.historyRetention();
        this.sweepInterval = settings.historySweepInterval();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.history = context.getStateStore(HeadgeoTopology.RUN_HISTORY_STORE);
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, this::forgetQuietRuns);
    }

    /** Drops the history of runs with no report for longer than the retention, so state stays bounded across runs. */
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
    public void process(Record<String, CheckpointReport> record) {
        CheckpointReport report = record.value();
        RunHistory h = history.get(report.getRunId());
        if (h == null) {
            h = new RunHistory(new ArrayList<>(), -1L, 0L);
        }
        List<ClosedCheckpoint> entries = new ArrayList<>(h.getEntries());
        ClosedCheckpoint closed = closedEntry(report);
        int at = insertionPoint(entries, report.getCheckpoint());
        entries.add(at, closed);
        long now = context.currentSystemTimeMs();
        if (report.getStatus() == ReportStatus.INCOMPLETE) {
            raise(record, incomplete(report, now));
        } else {
            ClosedCheckpoint earlier = nearestComplete(entries, at, -1);
            ClosedCheckpoint later = nearestComplete(entries, at, +1);
            if (earlier != null && earlier.getVerdict() != closed.getVerdict()) {
                raise(record, flip(report, earlier, closed, now));
            }
            if (later != null && later.getVerdict() != closed.getVerdict()) {
                raise(record, flip(report, closed, later, now));
            }
        }
        long forgottenBelow = h.getForgottenBelow();
        while (entries.size() > historySize) {
            forgottenBelow = Math.max(forgottenBelow, entries.remove(0).getCheckpoint());
        }
        history.put(report.getRunId(), new RunHistory(entries, forgottenBelow, now));
    }

    private void raise(Record<String, CheckpointReport> cause, Alert alert) {
        LOG.info("alert {}", alert.getMessage());
        metrics.alertRaised(alert.getType());
        context.forward(cause.withValue(alert));
    }

    private static ClosedCheckpoint closedEntry(CheckpointReport report) {
        return new ClosedCheckpoint(report.getCheckpoint(), report.getStatus(), report.getVerdict(),
                Reports.primaryMeanResidual(report));
    }

    private static int insertionPoint(List<ClosedCheckpoint> entries, long checkpoint) {
        int i = 0;
        while (i < entries.size() && entries.get(i).getCheckpoint() < checkpoint) {
            i++;
        }
        return i;
    }

    private static ClosedCheckpoint nearestComplete(List<ClosedCheckpoint> entries, int from, int step) {
        for (int i = from + step; i >= 0 && i < entries.size(); i += step) {
            if (entries.get(i).getStatus() == ReportStatus.COMPLETE) {
                return entries.get(i);
            }
        }
        return null;
    }

    private static Alert flip(CheckpointReport report, ClosedCheckpoint earlier, ClosedCheckpoint later, long now) {
        return Alert.newBuilder()
                .setType(AlertType.VERDICT_FLIP)
                .setRunId(report.getRunId())
                .setCheckpoint(later.getCheckpoint())
                .setMessage("run " + report.getRunId() + ": verdict (" + report.getPrimaryAnchor() + " anchor) flipped from "
                        + earlier.getVerdict() + " at checkpoint " + earlier.getCheckpoint() + " to " + later.getVerdict()
                        + " at checkpoint " + later.getCheckpoint())
                .setAnchor(report.getPrimaryAnchor())
                .setEarlierCheckpoint(earlier.getCheckpoint())
                .setEarlierVerdict(earlier.getVerdict())
                .setEarlierMeanResidual(earlier.getMeanResidual())
                .setLaterCheckpoint(later.getCheckpoint())
                .setLaterVerdict(later.getVerdict())
                .setLaterMeanResidual(later.getMeanResidual())
                .setRaisedAt(Instant.ofEpochMilli(now))
                .build();
    }

    private static Alert incomplete(CheckpointReport report, long now) {
        return Alert.newBuilder()
                .setType(AlertType.INCOMPLETE_CHECKPOINT)
                .setRunId(report.getRunId())
                .setCheckpoint(report.getCheckpoint())
                .setMessage("run " + report.getRunId() + ": checkpoint " + report.getCheckpoint() + " timed out missing "
                        + report.getMissingLayers().size() + " of " + report.getNumLayers() + " layers " + report.getMissingLayers())
                .setNumLayers(report.getNumLayers())
                .setMissingLayers(report.getMissingLayers())
                .setRaisedAt(Instant.ofEpochMilli(now))
                .build();
    }
}
