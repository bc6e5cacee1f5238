package dev.headgeo.stream;

import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.AttentionHealth;
import dev.headgeo.analysis.AttentionSignals;
import dev.headgeo.analysis.Drivers;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.analysis.Spectra;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSignals;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.report.HealthMapper;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.report.Reports;
import dev.headgeo.wire.AvroCodec;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the analysis for LAST, MIDDLE and BEST on a gathered checkpoint and sends its report to the
 * reports topic, track-verdicts and remember-runs. When the analysis fails unexpectedly (a bug),
 * only this checkpoint is lost: track-verdicts gets the failure (an ANALYSIS_FAILED alert for its
 * run) and its layers go to the dead-letter topic as PROCESSING_ERROR.
 *
 * <p>A complete checkpoint's attention health and drivers are judged against the run's previous
 * complete checkpoint, whose signals it keeps in the run's history ({@code previous_signals},
 * replaced only by a later checkpoint).
 */
final class AnalyzeCheckpointProcessor
        implements Processor<String, GatheredCheckpoint, String, Flow.AnalyzeOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCheckpointProcessor.class);
    private static final Set<Anchor> ALL = EnumSet.allOf(Anchor.class);

    private final Anchor primary;
    private final HeadgeoMetrics metrics;
    private final DeadLetters deadLetters;
    private final Function<Spectra, AnalysisResult> analyzer;

    /**
     * Encodes each report once, in the version the topics and stores are written in (see
     * Compatibility).
     */
    private final AvroCodec<CheckpointReport> reports;

    private ProcessorContext<String, Flow.AnalyzeOutput> context;
    private KeyValueStore<String, RunHistory> history;

    AnalyzeCheckpointProcessor(
            Anchor primary,
            HeadgeoMetrics metrics,
            DeadLetters deadLetters,
            AvroCodec<CheckpointReport> reports) {
        this(
                primary,
                metrics,
                deadLetters,
                reports,
                spectra -> SaScheduleAnalyzer.analyze(spectra, ALL));
    }

    /** With another analysis (tests make it fail). */
    AnalyzeCheckpointProcessor(
            Anchor primary,
            HeadgeoMetrics metrics,
            DeadLetters deadLetters,
            AvroCodec<CheckpointReport> reports,
            Function<Spectra, AnalysisResult> analyzer) {
        this.primary = primary;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.reports = reports;
        this.analyzer = analyzer;
    }

    @Override
    public void init(ProcessorContext<String, Flow.AnalyzeOutput> context) {
        this.context = context;
        this.history = context.getStateStore(HeadgeoTopology.RUN_HISTORY_STORE);
    }

    @Override
    public void process(Record<String, GatheredCheckpoint> record) {
        GatheredCheckpoint g = record.value();
        ReportMapper.Origin origin =
                new ReportMapper.Origin(
                        g.runId(),
                        g.checkpoint(),
                        Instant.ofEpochMilli(g.firstLayerAt()),
                        Instant.ofEpochMilli(g.completedAt()),
                        Instant.ofEpochMilli(context.currentSystemTimeMs()),
                        g.model(),
                        g.tags());
        CheckpointReport report;
        try {
            report =
                    g.complete()
                            ? ReportMapper.complete(
                                    origin,
                                    metrics.analysis().record(() -> analyzer.apply(g.spectra())),
                                    primary)
                            : ReportMapper.incomplete(
                                    origin,
                                    g.numLayers(),
                                    g.numHeads(),
                                    g.maxRank(),
                                    g.missingLayers(),
                                    primary);
            if (g.complete()) {
                judgeAgainstPrevious(g, report);
            }
        } catch (RuntimeException e) {
            failed(record, e);
            return;
        }
        if (g.complete()) {
            LOG.info(
                    "report run={} checkpoint={} {}x{}x{} verdict={} mean_residual={}",
                    g.runId(),
                    g.checkpoint(),
                    g.numLayers(),
                    g.numHeads(),
                    g.maxRank(),
                    report.getVerdict(),
                    Reports.primaryMeanResidual(report));
        } else {
            LOG.info(
                    "report run={} checkpoint={} INCOMPLETE missing_layers={}",
                    g.runId(),
                    g.checkpoint(),
                    g.missingLayers());
        }
        Record<String, Flow.Reported> reported =
                record.withValue(new Flow.Reported(report, reports.toAvro(report)));
        HeadgeoTopology.REPORTS.send(context, reported);
        HeadgeoTopology.TRACK.send(context, reported);
        HeadgeoTopology.REMEMBER.send(context, reported);
        metrics.reportSent(report.getStatus(), g.completedAt(), context.currentSystemTimeMs());
    }

    /**
     * Attention health and drivers against the run's previous complete checkpoint; keeps this one's
     * signals when it is the latest.
     */
    private void judgeAgainstPrevious(GatheredCheckpoint g, CheckpointReport report) {
        RunHistory h = history.get(g.runId());
        CheckpointSignals kept = h == null ? null : h.getPreviousSignals();
        boolean earlier = kept != null && kept.getCheckpoint() < g.checkpoint();
        AttentionSignals previous =
                earlier ? HealthMapper.signals(kept, g.signals().qkNorm()) : null;
        AttentionHealth.Result health =
                AttentionHealth.assess(
                        g.checkpoint(),
                        g.signals(),
                        previous,
                        earlier ? kept.getCheckpoint() : -1,
                        earlier ? HealthMapper.growingHeads(kept) : java.util.Set.of());
        double[] residuals = HealthMapper.layerResiduals(report);
        report.setAttentionHealth(HealthMapper.toAvro(health));
        report.setDrivers(
                HealthMapper.toAvro(
                        Drivers.between(
                                residuals,
                                earlier ? HealthMapper.residuals(kept) : null,
                                g.signals(),
                                previous)));
        if (kept == null || earlier) {
            RunHistory next =
                    h == null
                            ? RunHistory.newBuilder()
                                    .setEntries(new java.util.ArrayList<>())
                                    .setForgottenBelow(-1L)
                                    .setLastClosedAt(0L)
                                    .build()
                            : h;
            next.setPreviousSignals(
                    HealthMapper.toAvro(g.checkpoint(), residuals, g.signals(), health));
            history.put(g.runId(), next);
        }
    }

    /**
     * This checkpoint only: an alert for its run, its layers to the dead-letter topic, the rest
     * goes on.
     */
    private void failed(Record<String, GatheredCheckpoint> record, RuntimeException e) {
        GatheredCheckpoint g = record.value();
        String detail =
                "analysis of checkpoint "
                        + g.checkpoint()
                        + " of run "
                        + g.runId()
                        + " failed: "
                        + e;
        LOG.error(
                "{}; its {} layers go to the dead-letter topic as PROCESSING_ERROR",
                detail,
                g.layerBytes().size(),
                e);
        HeadgeoTopology.TRACK.send(
                context,
                record.withValue(
                        new Flow.AnalysisFailed(
                                g.runId(),
                                g.checkpoint(),
                                g.numLayers(),
                                g.numHeads(),
                                e.toString())));
        DeadLetters.Source source = DeadLetters.sourceOf(context, record);
        String key = RawKeys.ofRunId(g.runId());
        for (byte[] layer : g.layerBytes()) {
            HeadgeoTopology.DEAD_LETTERS.send(
                    context,
                    deadLetters.of(
                            key,
                            layer,
                            record.timestamp(),
                            source,
                            RejectReason.PROCESSING_ERROR,
                            detail,
                            e));
        }
    }
}
