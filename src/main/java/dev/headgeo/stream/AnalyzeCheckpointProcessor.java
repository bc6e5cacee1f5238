package dev.headgeo.stream;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.report.Reports;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the analysis for LAST, MIDDLE and BEST on a gathered checkpoint and emits its report. */
final class AnalyzeCheckpointProcessor implements Processor<String, GatheredCheckpoint, String, CheckpointReport> {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCheckpointProcessor.class);
    private static final Set<Anchor> ALL = EnumSet.allOf(Anchor.class);

    private final Anchor primary;
    private final HeadgeoMetrics metrics;
    private ProcessorContext<String, CheckpointReport> context;

    AnalyzeCheckpointProcessor(Anchor primary, HeadgeoMetrics metrics) {
        this.primary = primary;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, CheckpointReport> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, GatheredCheckpoint> record) {
        GatheredCheckpoint g = record.value();
        ReportMapper.Origin origin = new ReportMapper.Origin(g.runId(), g.checkpoint(),
                Instant.ofEpochMilli(g.firstLayerAt()), Instant.ofEpochMilli(g.completedAt()),
                Instant.ofEpochMilli(context.currentSystemTimeMs()));
        CheckpointReport report = g.complete()
                ? ReportMapper.complete(origin, metrics.analysis().record(() -> SaScheduleAnalyzer.analyze(g.spectra(), ALL)), primary)
                : ReportMapper.incomplete(origin, g.numLayers(), g.numHeads(), g.maxRank(), g.missingLayers(), primary);
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
