package dev.headgeo.stream;

import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.ReportStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processor's own counters and timers (Prometheus names {@code headgeo_reports_total{status}},
 * {@code headgeo_alerts_total{type}}, {@code headgeo_dead_letters_total{reason}}, {@code
 * headgeo_analysis_seconds}, {@code headgeo_report_delay_seconds}). The per-run gauges are read
 * from the state stores at scrape time instead (see {@code http.RunMetrics}), so that only the
 * instance owning a run exports them.
 */
public final class HeadgeoMetrics {
    /**
     * Key under which Kafka's exception handlers (which Kafka instantiates from class names) find
     * this object in the Streams configuration; the topology's processors are handed it directly.
     */
    public static final String CONFIG_KEY = "headgeo.metrics";

    private final MeterRegistry registry;
    private final Timer analysis;
    private final Timer reportDelay;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public HeadgeoMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.analysis =
                Timer.builder("headgeo.analysis")
                        .description("Analysis of one complete checkpoint, all anchors")
                        .register(registry);
        this.reportDelay =
                Timer.builder("headgeo.report.delay")
                        .description("Completing layer record's timestamp to report sent")
                        .register(registry);
        for (ReportStatus s : ReportStatus.values()) {
            report(s, 0);
        }
        for (AlertType t : AlertType.values()) {
            alert(t, 0);
        }
        for (RejectReason r : RejectReason.values()) {
            counter(
                    "headgeo.dead.letters",
                    "reason",
                    r.name(),
                    "Records sent to the dead-letter topic");
        }
    }

    /** Counts into a registry nobody reads (tests, offline tools). */
    public static HeadgeoMetrics unregistered() {
        return new HeadgeoMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Timer analysis() {
        return analysis;
    }

    void reportSent(ReportStatus status, long completingRecordTimestamp, long now) {
        report(status, 1);
        if (status == ReportStatus.COMPLETE && completingRecordTimestamp > 0) {
            reportDelay.record(Duration.ofMillis(Math.max(0, now - completingRecordTimestamp)));
        }
    }

    void alertRaised(AlertType type) {
        alert(type, 1);
    }

    void deadLettered(RejectReason reason) {
        counter(
                        "headgeo.dead.letters",
                        "reason",
                        reason.name(),
                        "Records sent to the dead-letter topic")
                .increment();
    }

    private void report(ReportStatus status, int n) {
        counter("headgeo.reports", "status", status.name(), "Checkpoint reports sent").increment(n);
    }

    private void alert(AlertType type, int n) {
        counter("headgeo.alerts", "type", type.name(), "Alerts raised").increment(n);
    }

    private Counter counter(String name, String tag, String value, String description) {
        return counters.computeIfAbsent(
                name + '|' + value,
                k ->
                        Counter.builder(name)
                                .description(description)
                                .tag(tag, value)
                                .register(registry));
    }

    /**
     * The metrics object from a Streams configuration map; without one (a test's handler), one that
     * nobody reads, said once.
     */
    static HeadgeoMetrics from(Map<String, ?> configs) {
        if (configs.get(CONFIG_KEY) instanceof HeadgeoMetrics metrics) {
            return metrics;
        }
        org.slf4j.LoggerFactory.getLogger(HeadgeoMetrics.class)
                .warn(
                        "no {} in the Streams configuration: the exception handlers' dead letters"
                                + " are not counted",
                        CONFIG_KEY);
        return unregistered();
    }
}
