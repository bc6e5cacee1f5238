package dev.headgeo.stream;

import static dev.headgeo.stream.TrackVerdictsProcessorTest.complete;
import static dev.headgeo.stream.TrackVerdictsProcessorTest.incomplete;
import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alert decisions alone: a history in, decisions and the next history out, no Kafka. */
class VerdictDecisionsTest {
    static final long NOW = 1_700_000_000_000L;

    /**
     * Feeds the checkpoints in order (checkpoint = 100 × position) and collects "TYPE@checkpoint"
     * of every alert.
     */
    static final class Run {
        final VerdictDecisions decisions;
        RunHistory history;
        final List<Alert> alerts = new ArrayList<>();
        int redrawn;

        Run(AlertSettings settings) {
            this.decisions = new VerdictDecisions(settings, 20);
        }

        Run feed(CheckpointReport report) {
            VerdictDecisions.Outcome out = decisions.closed(history, report, NOW);
            alerts.addAll(out.alerts());
            redrawn +=
                    (int)
                            out.decisions().stream()
                                    .filter(VerdictDecisions.Redrawn.class::isInstance)
                                    .count();
            history = out.history();
            return this;
        }

        Run residuals(double... means) {
            long next =
                    history == null
                            ? 100
                            : history.getEntries()
                                            .get(history.getEntries().size() - 1)
                                            .getCheckpoint()
                                    + 100;
            for (double m : means) {
                feed(complete("r", next, m));
                next += 100;
            }
            return this;
        }

        List<String> kinds() {
            return alerts.stream().map(a -> a.getType() + "@" + a.getCheckpoint()).toList();
        }
    }

    @Test
    void withoutFlipControlEveryChangeBetweenNeighboursIsAFlip() {
        Run run = new Run(AlertSettings.defaults()).residuals(0.05, 0.06, 0.2, 0.05);
        assertThat(run.kinds())
                .filteredOn(k -> k.startsWith("VERDICT_FLIP"))
                .containsExactly("VERDICT_FLIP@300", "VERDICT_FLIP@400");
        assertThat(run.alerts.get(0).getEarlierVerdict()).isEqualTo(Verdict.SUPPORTED);
        assertThat(run.alerts.get(0).getLaterVerdict()).isEqualTo(Verdict.PARTIALLY_SUPPORTED);
    }

    @Test
    void aLateCheckpointFlipsAgainstBothItsNeighbours() {
        Run run = new Run(AlertSettings.defaults());
        run.feed(complete("r", 100, 0.05))
                .feed(complete("r", 300, 0.05))
                .feed(complete("r", 200, 0.5));
        // each differing pair once, named by its later checkpoint
        assertThat(run.kinds()).containsExactly("VERDICT_FLIP@200", "VERDICT_FLIP@300");
        assertThat(run.alerts).extracting(Alert::getEarlierCheckpoint).containsExactly(100L, 200L);
    }

    @Test
    void aResidualWithinTheMarginOfTheBoundaryIsNoChange() {
        Run run =
                new Run(AlertSettings.defaults().withFlipControl(0.02, 1))
                        .residuals(0.05, 0.11, 0.115, 0.119);
        assertThat(run.alerts).as("0.11–0.119 is within 0.02 past 0.1").isEmpty();
        run.residuals(0.125);
        assertThat(run.kinds()).containsExactly("VERDICT_FLIP@500");
        // back down: the boundary now sits 0.02 below 0.1, seen from PARTIALLY_SUPPORTED
        run.residuals(0.09, 0.081);
        assertThat(run.kinds()).containsExactly("VERDICT_FLIP@500");
        run.residuals(0.079);
        assertThat(run.kinds()).containsExactly("VERDICT_FLIP@500", "VERDICT_FLIP@800");
    }

    @Test
    void aNewVerdictIsAlertedOnceItHeldForTheConfirmations() {
        Run run =
                new Run(AlertSettings.defaults().withFlipControl(0, 3))
                        .residuals(0.05, 0.2, 0.2, 0.05, 0.2, 0.2);
        assertThat(run.alerts).as("interrupted after two").isEmpty();
        run.residuals(0.2);
        assertThat(run.kinds()).containsExactly("VERDICT_FLIP@700");
        Alert flip = run.alerts.get(0);
        assertThat(flip.getEarlierCheckpoint())
                .as("the last confirmed checkpoint of the old verdict")
                .isEqualTo(400L);
        assertThat(flip.getLaterVerdict()).isEqualTo(Verdict.PARTIALLY_SUPPORTED);
    }

    @Test
    void aForecastIsRaisedOnceAndWithdrawnWhenTheTrendTurns() {
        Run run = new Run(new AlertSettings(0, 1, 6, 3, 0.7)).residuals(0.041, 0.052);
        assertThat(run.redrawn).as("no trend through fewer than three points").isZero();
        run.residuals(0.063, 0.074);
        assertThat(run.kinds()).containsExactly("FLIP_FORECAST@400");
        assertThat(run.alerts.get(0).getBoundary()).isEqualTo(0.1);
        run.residuals(0.075);
        assertThat(run.kinds())
                .as("the same crossing is not raised twice")
                .containsExactly("FLIP_FORECAST@400");
        run.residuals(0.05);
        assertThat(run.kinds())
                .as("one lower point leaves most slopes rising")
                .containsExactly("FLIP_FORECAST@400");
        run.residuals(0.045, 0.04);
        assertThat(run.kinds()).containsExactly("FLIP_FORECAST@400", "FLIP_FORECAST_WITHDRAWN@700");
        assertThat(run.redrawn)
                .as("the forecast is redrawn at every complete checkpoint from the third")
                .isEqualTo(6);
    }

    @Test
    void anIncompleteSpellEndsWithTheNextLaterCompleteCheckpoint() {
        Run run = new Run(AlertSettings.defaults());
        run.feed(complete("r", 100, 0.05))
                .feed(incomplete("r", 200))
                .feed(incomplete("r", 300))
                .feed(complete("r", 400, 0.05));
        assertThat(run.kinds())
                .containsExactly(
                        "INCOMPLETE_CHECKPOINT@200",
                        "INCOMPLETE_CHECKPOINT@300",
                        "INCOMPLETE_RESOLVED@400");
    }

    @Test
    void theHistoryIsBoundedAndTheGivenOneIsLeftAsItWas() {
        VerdictDecisions decisions = new VerdictDecisions(AlertSettings.defaults(), 3);
        RunHistory h = null;
        for (long c = 100; c <= 500; c += 100) {
            h = decisions.closed(h, complete("r", c, 0.05), NOW + c).history();
        }
        assertThat(h.getEntries())
                .extracting(e -> e.getCheckpoint())
                .containsExactly(300L, 400L, 500L);
        assertThat(h.getForgottenBelow()).isEqualTo(200L);
        assertThat(h.getLastClosedAt()).isEqualTo(NOW + 500);
        String before = h.toString();
        decisions.closed(h, complete("r", 600, 0.5), NOW);
        assertThat(h.toString())
                .as("a decision does not change the history it was given")
                .isEqualTo(before);
    }
}
