package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.AttentionHealth;
import dev.headgeo.avro.CheckpointReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The health alerts of a run, as a plain function of the health alerts it has active and a complete
 * checkpoint's report (no Kafka here; {@link VerdictDecisions} keeps the active set in the run's
 * history): ENTROPY_COLLAPSE while the state is COLLAPSED, LOGIT_GROWTH while it is GROWING, each
 * raised once when its state starts and ended by its {@code _RESOLVED} record when the state ends
 * (a growth that ends in a collapse is resolved, then the collapse raised). Only the run's latest
 * checkpoint moves the states: a checkpoint completing after a later one is judged in its report
 * but alerts nothing.
 */
final class HealthDecisions {
    /** What to send, in order, and the health alert types active from now on. */
    record Outcome(List<Alert> alerts, List<String> active) {}

    private HealthDecisions() {}

    /**
     * @param active the health alert types active for the run (names of ENTROPY_COLLAPSE,
     *     LOGIT_GROWTH)
     * @param latest whether the report's checkpoint is the run's latest complete one
     */
    static Outcome closed(List<String> active, CheckpointReport report, boolean latest, long now) {
        AttentionHealth health = report.getAttentionHealth();
        if (health == null || !latest) {
            return new Outcome(List.of(), active);
        }
        AlertType wanted =
                switch (health.getState()) {
                    case COLLAPSED -> AlertType.ENTROPY_COLLAPSE;
                    case GROWING -> AlertType.LOGIT_GROWTH;
                    case STABLE, UNKNOWN -> null;
                };
        List<Alert> out = new ArrayList<>();
        List<String> next = new ArrayList<>();
        for (String name : active) {
            AlertType type = AlertType.valueOf(name);
            if (type == wanted) {
                next.add(name);
            } else {
                out.add(RunAlerts.healthResolved(report, type, now));
            }
        }
        if (wanted != null && !next.contains(wanted.name())) {
            out.add(
                    wanted == AlertType.ENTROPY_COLLAPSE
                            ? RunAlerts.entropyCollapse(report, now)
                            : RunAlerts.logitGrowth(report, now));
            next.add(wanted.name());
        }
        return new Outcome(out, next);
    }
}
