package dev.headgeo.stream;

import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.analysis.Spectra;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.report.Reports;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the analysis for LAST, MIDDLE and BEST on a gathered checkpoint and emits its report. */
final class AnalyzeCheckpointProcessor implements Processor<String, GatheredCheckpoint, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCheckpointProcessor.class);
    private static final Set<Anchor> ALL = EnumSet.allOf(Anchor.class);

    /** A checkpoint whose analysis failed, handed to track-verdicts for its ANALYSIS_FAILED alert. */
    record Failure(String runId, long checkpoint, int numLayers, int numHeads, String cause) {
    }

    private final Anchor primary;
    private final HeadgeoMetrics metrics;
    private final Function<Spectra, AnalysisResult> analyzer;
    private ProcessorContext<String, Object> context;

    AnalyzeCheckpointProcessor(Anchor primary, HeadgeoMetrics metrics) {
        this(primary, metrics, spectra -> SaScheduleAnalyzer.analyze(spectra, ALL));
    }

    /** With another analysis (tests make it fail). */
    AnalyzeCheckpointProcessor(Anchor primary, HeadgeoMetrics metrics, Function<Spectra, AnalysisResult> analyzer) {
        this.primary = primary;
        this.metrics = metrics;
        this.analyzer = analyzer;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, GatheredCheckpoint> record) {
        GatheredCheckpoint g = record.value();
        ReportMapper.Origin origin = new ReportMapper.Origin(g.runId(), g.checkpoint(),
                Instant.ofEpochMilli(g.firstLayerAt()), Instant.ofEpochMilli(g.completedAt()),
                Instant.ofEpochMilli(context.currentSystemTimeMs()));
        CheckpointReport report;
        try {
            report = g.complete()
                    ? ReportMapper.complete(origin, metrics.analysis().record(() -> analyzer.apply(g.spectra())), primary)
                    : ReportMapper.incomplete(origin, g.numLayers(), g.numHeads(), g.maxRank(), g.missingLayers(), primary);
        } catch (RuntimeException e) {
            // this checkpoint only: an alert for its run, its layers to the dead-letter topic (by the handler), the rest goes on
            context.forward(record.withValue(new Failure(g.runId(), g.checkpoint(), g.numLayers(), g.numHeads(), e.toString())),
                    HeadgeoTopology.TRACK);
            throw new AnalysisFailedException(g.runId(), g.checkpoint(), g.layerBytes(), e);
        }
        if (g.complete()) {
            LOG.info("report run={} checkpoint={} {}x{}x{} verdict={} mean_residual={}", g.runId(), g.checkpoint(),
                    g.numLayers(), g.numHeads(), g.maxRank(), report.getVerdict(),
                    Reports.primaryMeanResidual(report));
        } else {
            LOG.info("report run={} checkpoint={} INCOMPLETE missing_layers={}", g.runId(), g.checkpoint(), g.missingLayers());
        }
        context.forward(record.withValue(report));
        metrics.reportSent(report.getStatus(), g.completedAt(), context.currentSystemTimeMs());
    }
}
