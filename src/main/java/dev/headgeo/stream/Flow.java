package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.Forecast;
import dev.headgeo.wire.LayerValues;
import java.util.function.Consumer;

/**
 * The values that travel on the topology's edges, one sealed type per processor's output, so that
 * every processor takes one concrete type and a child can only be wired to a parent that sends it
 * ({@link Node}). Nothing here is serialised except through the sinks' serializers.
 */
final class Flow {
    private Flow() {}

    /** What decode-layers sends: a layer to gather, or a record it could not decode. */
    sealed interface DecodeOutput permits ReceivedLayer, DeadLetter {}

    /** What gather-layers sends: a checkpoint to analyze, or a layer record it rejected. */
    sealed interface GatherOutput permits GatheredCheckpoint, DeadLetter {}

    /**
     * What analyze-checkpoint sends: the checkpoint's outcome, and the layers of a failed analysis.
     */
    sealed interface AnalyzeOutput permits CheckpointOutcome, DeadLetter {}

    /**
     * A closed checkpoint as track-verdicts takes it: its report, or the failure of its analysis.
     */
    sealed interface CheckpointOutcome extends AnalyzeOutput permits Reported, AnalysisFailed {
        /**
         * Hands this outcome to the consumer of its kind (Java 17 has no exhaustive switch on
         * sealed types; this is one).
         */
        void dispatch(Consumer<Reported> reported, Consumer<AnalysisFailed> failed);
    }

    /**
     * What remember-runs keeps for the HTTP API: reports, alerts and the current forecast of a run.
     */
    sealed interface RunEvent permits Reported, RaisedAlert, ForecastChanged {
        /** Hands this event to the consumer of its kind. */
        void dispatch(
                Consumer<Reported> reported,
                Consumer<RaisedAlert> alert,
                Consumer<ForecastChanged> forecast);
    }

    /**
     * A decoded layer record with the bytes the store keeps (Avro single-object encoding) and the
     * bytes as received (the same array when they came as Avro), for a dead letter if it is
     * rejected later.
     */
    record ReceivedLayer(LayerValues values, byte[] avro, byte[] received)
            implements DecodeOutput {}

    /**
     * A checkpoint's report, complete or incomplete, with its Avro single-object encoding: made
     * once, it is what remember-runs stores and, with Avro output, what the reports topic gets (a
     * v2 report is about 60 KB of nullable doubles, and encoding it twice was a tenth of the stream
     * thread's time).
     */
    record Reported(CheckpointReport report, byte[] avro) implements CheckpointOutcome, RunEvent {
        @Override
        public void dispatch(Consumer<Reported> reported, Consumer<AnalysisFailed> failed) {
            reported.accept(this);
        }

        @Override
        public void dispatch(
                Consumer<Reported> reported,
                Consumer<RaisedAlert> alert,
                Consumer<ForecastChanged> forecast) {
            reported.accept(this);
        }
    }

    /**
     * The analysis of a complete checkpoint failed unexpectedly (a bug); its layers go to the dead
     * letters.
     */
    record AnalysisFailed(String runId, long checkpoint, int numLayers, int numHeads, String cause)
            implements CheckpointOutcome {
        @Override
        public void dispatch(Consumer<Reported> reported, Consumer<AnalysisFailed> failed) {
            failed.accept(this);
        }
    }

    record RaisedAlert(Alert alert) implements RunEvent {
        @Override
        public void dispatch(
                Consumer<Reported> reported,
                Consumer<RaisedAlert> alert,
                Consumer<ForecastChanged> forecast) {
            alert.accept(this);
        }
    }

    /** The run's trend was re-drawn (with or without a crossing). */
    record ForecastChanged(Forecast forecast) implements RunEvent {
        @Override
        public void dispatch(
                Consumer<Reported> reported,
                Consumer<RaisedAlert> alert,
                Consumer<ForecastChanged> forecast) {
            forecast.accept(this);
        }
    }

    /**
     * A record for the dead-letter topic: the original value (cut when huge); the original key is
     * the record's key ({@link RawKeys}) and the KIP-1034 headers are the record's headers ({@link
     * DeadLetters}).
     */
    record DeadLetter(RejectReason reason, byte[] value)
            implements DecodeOutput, GatherOutput, AnalyzeOutput {}
}
