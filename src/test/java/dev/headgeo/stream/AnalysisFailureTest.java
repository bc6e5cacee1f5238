package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * An unexpected failure while analysing one checkpoint: an alert for its run, its layers
 * dead-lettered, nothing else touched.
 */
class AnalysisFailureTest {
    static GatheredCheckpoint gathered() {
        AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
        List<GatheredCheckpoint.Layer> layers = new ArrayList<>();
        for (LayerGeometry l :
                LayerRecords.split(Golden.dump("two_layers"), "broken", 7, null, null)) {
            layers.add(
                    new GatheredCheckpoint.Layer(
                            dev.headgeo.wire.LayerArrays.values(l), codec.toAvro(l)));
        }
        return GatheredCheckpoint.complete(
                new OpenCheckpoint("broken", 7L, 2, 2, 2, 1L, 1L, 1L), layers, 5L);
    }

    @Test
    void theFailureGoesToTrackVerdictsAndEveryLayerToTheDeadLetterSink() {
        MockProcessorContext<String, Flow.AnalyzeOutput> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(9L);
        context.setRecordMetadata("headgeo.layers", 2, 41L);
        HeadgeoMetrics metrics = new HeadgeoMetrics(new SimpleMeterRegistry());
        AnalyzeCheckpointProcessor processor =
                new AnalyzeCheckpointProcessor(
                        dev.headgeo.analysis.Anchor.LAST,
                        metrics,
                        new DeadLetters(metrics),
                        new dev.headgeo.wire.AvroCodec<>(
                                dev.headgeo.avro.CheckpointReport.getClassSchema()),
                        spectra -> {
                            throw new ArithmeticException("boom");
                        });
        processor.init(context);
        GatheredCheckpoint g = gathered();

        processor.process(new Record<>("broken", g, 5L));

        List<MockProcessorContext.CapturedForward<? extends String, ? extends Flow.AnalyzeOutput>>
                out = context.forwarded();
        assertThat(out).hasSize(3);
        assertThat(out.get(0).childName()).hasValue(HeadgeoTopology.TRACK.name());
        assertThat(out.get(0).record().value())
                .isEqualTo(
                        new Flow.AnalysisFailed(
                                "broken", 7, 2, 2, "java.lang.ArithmeticException: boom"));
        for (int i = 0; i < 2; i++) {
            var dead = out.get(1 + i);
            assertThat(dead.childName()).hasValue(HeadgeoTopology.DEAD_LETTERS.name());
            assertThat(dead.record().key()).isEqualTo("broken");
            Flow.DeadLetter letter = (Flow.DeadLetter) dead.record().value();
            assertThat(letter.reason()).isEqualTo(RejectReason.PROCESSING_ERROR);
            assertThat(letter.value()).isEqualTo(g.layerBytes().get(i));
            Headers h = dead.record().headers();
            assertThat(header(h, DeadLetters.REASON_HEADER)).isEqualTo("PROCESSING_ERROR");
            assertThat(header(h, DeadLetters.DETAIL_HEADER))
                    .isEqualTo(
                            "analysis of checkpoint 7 of run broken failed:"
                                    + " java.lang.ArithmeticException: boom");
            assertThat(header(h, DeadLetters.EXCEPTION_HEADER))
                    .isEqualTo("java.lang.ArithmeticException");
            assertThat(header(h, DeadLetters.STACKTRACE_HEADER))
                    .startsWith("java.lang.ArithmeticException: boom");
            assertThat(header(h, DeadLetters.TOPIC_HEADER)).isEqualTo("headgeo.layers");
            assertThat(header(h, DeadLetters.PARTITION_HEADER)).isEqualTo("2");
            assertThat(header(h, DeadLetters.OFFSET_HEADER)).isEqualTo("41");
        }
        assertThat(
                        metrics.registry()
                                .get("headgeo.dead.letters")
                                .tag("reason", "PROCESSING_ERROR")
                                .counter()
                                .count())
                .isEqualTo(2.0);
        assertThat(
                        metrics.registry()
                                .get("headgeo.reports")
                                .tag("status", "COMPLETE")
                                .counter()
                                .count())
                .isZero();
    }

    @Test
    void trackVerdictsRaisesAnAnalysisFailedAlert() {
        MockProcessorContext<String, Flow.RunEvent> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(9L);
        KeyValueStore<String, RunHistory> history =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE),
                                Serdes.String(),
                                new AvroSerde<RunHistory>(
                                        RunHistory.getClassSchema(), AvroSerde.Format.avro))
                        .withLoggingDisabled()
                        .build();
        history.init(context.getStateStoreContext(), history);
        context.addStateStore(history);
        TrackVerdictsProcessor track =
                new TrackVerdictsProcessor(
                        StreamSettings.defaults(), HeadgeoMetrics.unregistered());
        track.init(context);

        track.process(
                new Record<>(
                        "broken",
                        new Flow.AnalysisFailed("broken", 7, 2, 2, "ArithmeticException: boom"),
                        5L));

        assertThat(context.forwarded())
                .extracting(f -> f.childName().orElseThrow())
                .containsExactly(HeadgeoTopology.ALERTS.name(), HeadgeoTopology.REMEMBER.name());
        Alert alert = ((Flow.RaisedAlert) context.forwarded().get(0).record().value()).alert();
        assertThat(alert.getType()).isEqualTo(AlertType.ANALYSIS_FAILED);
        assertThat(alert.getCheckpoint()).isEqualTo(7);
        assertThat(alert.getMessage())
                .isEqualTo(
                        "run broken: the analysis of checkpoint 7 failed (ArithmeticException:"
                                + " boom); its layers are on the dead-letter topic as"
                                + " PROCESSING_ERROR");
        assertThat(history.get("broken"))
                .as("a failed checkpoint is not part of the history")
                .isNull();
    }

    @Test
    void theSafetyNetHandlerDeadLettersABugAsProcessingError() {
        ProcessingErrorHandler handler = new ProcessingErrorHandler();
        HeadgeoMetrics metrics = new HeadgeoMetrics(new SimpleMeterRegistry());
        handler.configure(
                Map.of(
                        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                        "dlq",
                        HeadgeoMetrics.CONFIG_KEY,
                        metrics));
        var response =
                handler.handleError(
                        context(),
                        new Record<>("broken", "x", 5L),
                        new IllegalStateException("a bug"));

        List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
        assertThat(dead).hasSize(1);
        ProducerRecord<byte[], byte[]> d = dead.get(0);
        assertThat(d.topic()).isEqualTo("dlq");
        assertThat(d.key()).isEqualTo("broken".getBytes(StandardCharsets.UTF_8));
        assertThat(d.value()).containsExactly(1, 2, 3);
        assertThat(d.timestamp()).isEqualTo(5L);
        assertThat(header(d.headers(), DeadLetters.REASON_HEADER)).isEqualTo("PROCESSING_ERROR");
        assertThat(header(d.headers(), DeadLetters.DETAIL_HEADER)).isEqualTo("a bug");
        assertThat(header(d.headers(), DeadLetters.EXCEPTION_HEADER))
                .isEqualTo("java.lang.IllegalStateException");
        assertThat(header(d.headers(), DeadLetters.MESSAGE_HEADER)).isEqualTo("a bug");
        assertThat(header(d.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("headgeo.layers");
        assertThat(header(d.headers(), DeadLetters.PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(d.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("41");
        assertThat(header(d.headers(), "producer-header"))
                .as("the original headers are kept")
                .isEqualTo("kept");
        assertThat(
                        metrics.registry()
                                .get("headgeo.dead.letters")
                                .tag("reason", "PROCESSING_ERROR")
                                .counter()
                                .count())
                .isEqualTo(1.0);
    }

    static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null || h.value() == null
                ? null
                : new String(h.value(), StandardCharsets.UTF_8);
    }

    static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() {
                return "headgeo.layers";
            }

            public int partition() {
                return 0;
            }

            public long offset() {
                return 41;
            }

            public Headers headers() {
                return new RecordHeaders()
                        .add("producer-header", "kept".getBytes(StandardCharsets.UTF_8));
            }

            public String processorNodeId() {
                return HeadgeoTopology.ANALYZE.name();
            }

            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            public long timestamp() {
                return 5;
            }

            public byte[] sourceRawKey() {
                return "broken".getBytes(StandardCharsets.UTF_8);
            }

            public byte[] sourceRawValue() {
                return new byte[] {1, 2, 3};
            }
        };
    }
}
