package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.RunState;
import dev.headgeo.avro.Severity;
import dev.headgeo.report.Reports;
import dev.headgeo.testing.ExactResidual;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forecasts, flip margin and confirmations, through the whole topology with exact residuals. */
class AlertsTest extends TopologyTestBase {

    void start(AlertSettings alerts) {
        fixture(TopologyFixture.settings(Duration.ofMinutes(10)).withAlerts(alerts));
    }

    /** Publishes checkpoints 100, 200, … with these residuals; returns the alerts they raised. */
    List<Alert> play(String run, double... residuals) {
        for (int i = 0; i < residuals.length; i++) {
            f.send(ExactResidual.layers(run, 100L * (i + 1), residuals[i]));
        }
        for (CheckpointReport r : f.reports.readValuesToList()) {
            assertThat(Reports.primaryMeanResidual(r))
                    .isCloseTo(residuals[(int) (r.getCheckpoint() / 100 - 1)], within(1e-12));
        }
        return f.alerts.readValuesToList();
    }

    static List<String> kinds(List<Alert> alerts) {
        return alerts.stream().map(a -> a.getType() + "@" + a.getCheckpoint()).toList();
    }

    @Test
    void aDriftingRunIsForecastOnceBeforeItFlips() {
        start(AlertSettings.defaults());
        List<Alert> alerts = play("drift", 0.041, 0.052, 0.063, 0.074, 0.085, 0.096, 0.107, 0.118);

        // the forecast's state ends when it comes true, after the flip it foretold
        assertThat(kinds(alerts))
                .containsExactly(
                        "FLIP_FORECAST@400", "VERDICT_FLIP@700", "FLIP_FORECAST_WITHDRAWN@700");
        assertThat(alerts)
                .extracting(Alert::getSeverity)
                .containsExactly(Severity.WARNING, Severity.WARNING, Severity.INFO);
        assertThat(alerts.get(2).getMessage())
                .isEqualTo(
                        "run drift: the forecast came true: mean residual 0.1070 at checkpoint 700"
                                + " is above 0.1");
        assertThat(alerts.get(2).getBoundary()).isEqualTo(0.1);
        assertThat(alerts.get(2).getTrendPerCheckpoint())
                .as("the ended forecast's trend")
                .isCloseTo(0.011, within(1e-9));
        Alert forecast = alerts.get(0);
        assertThat(forecast.getBoundary()).isEqualTo(0.1);
        assertThat(forecast.getCurrentMeanResidual()).isCloseTo(0.074, within(1e-12));
        assertThat(forecast.getTrendPerCheckpoint()).isCloseTo(0.011, within(1e-9));
        assertThat(forecast.getForecastCheckpoint()).isEqualTo(636);
        assertThat(forecast.getMessage()).contains("drift", "rise above 0.1", "636");
        RunState state =
                f.driver
                        .<String, RunState>getKeyValueStore(HeadgeoTopology.RUN_STATE_STORE)
                        .get("drift");
        assertThat(state.getForecast().getAtCheckpoint()).isEqualTo(800);
        assertThat(state.getForecast().getPoints()).isEqualTo(8);
        assertThat(state.getForecast().getTrendPerCheckpoint()).isCloseTo(0.011, within(1e-9));
    }

    @Test
    void aFlatRunNearTheBoundaryIsNotForecast() {
        start(AlertSettings.defaults());
        List<Alert> alerts =
                play(
                        "flat", 0.084, 0.087, 0.083, 0.086, 0.085, 0.082, 0.087, 0.084, 0.086,
                        0.083, 0.085, 0.087, 0.084, 0.083, 0.086, 0.085, 0.084, 0.087, 0.083,
                        0.086);

        assertThat(alerts).isEmpty();
        RunHistory h =
                f.driver
                        .<String, RunHistory>getKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE)
                        .get("flat");
        assertThat(h.getForecast().getBoundary()).isNull();
    }

    @Test
    void aWithdrawnForecastIsRaisedAgainWhenItReturns() {
        // a short window, so that the trend turns within a few checkpoints
        start(new AlertSettings(0, 1, 6, 3, 0.7));
        List<Alert> alerts =
                play(
                        "back-and-forth",
                        0.041,
                        0.052,
                        0.063,
                        0.074,
                        0.06,
                        0.05,
                        0.045,
                        0.04,
                        0.04,
                        0.04,
                        0.051,
                        0.062,
                        0.073,
                        0.084);

        assertThat(alerts)
                .extracting(Alert::getType)
                .containsExactly(
                        AlertType.FLIP_FORECAST,
                        AlertType.FLIP_FORECAST_WITHDRAWN,
                        AlertType.FLIP_FORECAST);
        assertThat(alerts.get(0).getCheckpoint()).isEqualTo(400);
        assertThat(alerts.get(1).getMessage())
                .startsWith(
                        "run back-and-forth: the forecast to rise above 0.1 is withdrawn: mean"
                                + " residual 0.0500 at checkpoint 600");
        assertThat(alerts.get(2).getCheckpoint()).isGreaterThan(1000);
    }

    @Test
    void aFallingResidualIsForecastToRecover() {
        start(AlertSettings.defaults());
        List<Alert> alerts = play("recovering", 0.2, 0.17, 0.14, 0.11, 0.08);

        assertThat(kinds(alerts))
                .containsExactly(
                        "FLIP_FORECAST@300", "VERDICT_FLIP@500", "FLIP_FORECAST_WITHDRAWN@500");
        assertThat(alerts.get(0).getMessage()).contains("fall below 0.1");
        // a recovery, foretold and come: news, not alarms
        assertThat(alerts).extracting(Alert::getSeverity).containsOnly(Severity.INFO);
        assertThat(alerts.get(1).getMessage())
                .isEqualTo(
                        "run recovering: verdict (LAST anchor) recovered from PARTIALLY_SUPPORTED"
                                + " at checkpoint 400 to SUPPORTED at checkpoint 500");
        assertThat(alerts.get(0).getTrendPerCheckpoint()).isCloseTo(-0.03, within(1e-9));
    }

    @Test
    void withoutFlipControlEveryCrossingIsAFlipCarryingEveryAnchorsVerdict() {
        start(AlertSettings.defaults());
        List<Alert> flips =
                play("wobbly", 0.09, 0.11, 0.095, 0.105, 0.13, 0.12).stream()
                        .filter(a -> a.getType() == AlertType.VERDICT_FLIP)
                        .toList();

        assertThat(flips)
                .extracting(a -> a.getEarlierCheckpoint() + "->" + a.getLaterCheckpoint())
                .containsExactly("100->200", "200->300", "300->400");
        assertThat(flips.get(0).getEarlierVerdicts())
                .extracting(v -> v.getAnchor().name())
                .containsExactly("LAST", "MIDDLE", "BEST");
        assertThat(flips.get(0).getLaterVerdicts()).hasSize(3);
        assertThat(flips.get(0).getLaterVerdicts().get(0).getMeanResidual())
                .isCloseTo(0.11, within(1e-12));
    }

    @Test
    void aFlipMarginIgnoresChangesCloseToTheBoundary() {
        start(AlertSettings.defaults().withFlipControl(0.02, 1));
        List<Alert> flips =
                play("wobbly", 0.09, 0.11, 0.095, 0.105, 0.13, 0.12, 0.09, 0.07).stream()
                        .filter(a -> a.getType() == AlertType.VERDICT_FLIP)
                        .toList();

        assertThat(flips)
                .extracting(
                        a ->
                                a.getEarlierCheckpoint()
                                        + "->"
                                        + a.getLaterCheckpoint()
                                        + " "
                                        + a.getLaterVerdict())
                .containsExactly("400->500 PARTIALLY_SUPPORTED", "700->800 SUPPORTED");
        assertThat(flips.get(0).getEarlierVerdicts()).hasSize(3);
    }

    @Test
    void confirmationsWaitUntilTheNewVerdictHolds() {
        start(AlertSettings.defaults().withFlipControl(0, 2));
        List<Alert> flips =
                play("noisy", 0.05, 0.15, 0.05, 0.15, 0.16, 0.35).stream()
                        .filter(a -> a.getType() == AlertType.VERDICT_FLIP)
                        .toList();

        assertThat(flips)
                .extracting(
                        a ->
                                a.getEarlierCheckpoint()
                                        + "->"
                                        + a.getLaterCheckpoint()
                                        + " "
                                        + a.getLaterVerdict())
                .containsExactly("300->500 PARTIALLY_SUPPORTED");
    }
}
