package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroSerde;
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

/** An unexpected failure while analysing one checkpoint: an alert for its run, its layers dead-lettered, nothing else touched. */
class AnalysisFailureTest {
    static GatheredCheckpoint gathered() {
        AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
        List<GatheredCheckpoint.Layer> layers = new ArrayList<>();
        for (LayerGeometry l : LayerRecords.split(Golden.dump("two_layers"), "broken", 7, null, null)) {
            layers.add(new GatheredCheckpoint.Layer(dev.headgeo.wire.LayerArrays.values(l), codec.toAvro(l)));
        }
        return GatheredCheckpoint.complete(new OpenCheckpoint("broken", 7L, 2, 2, 2, 1L, 1L, 1L), layers, 5L);
    }

    @Test
    void theAnalysisFailureGoesToTrackVerdictsAndCarriesTheLayers() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(9L);
        AnalyzeCheckpointProcessor processor = new AnalyzeCheckpointProcessor(dev.headgeo.analysis.Anchor.LAST,
                HeadgeoMetrics.unregistered(), spectra -> {
                    throw new ArithmeticException("boom");
                });
        processor.init(context);

        assertThatThrownBy(() -> processor.process(new Record<>("broken", gathered(), 5L)))
                .isInstanceOfSatisfying(AnalysisFailedException.class, e -> {
                    assertThat(e.layers()).hasSize(2);
                    assertThat(e.getMessage()).contains("checkpoint 7 of run broken", "ArithmeticException: boom");
                });
        assertThat(context.forwarded()).hasSize(1);
        assertThat(context.forwarded().get(0).childName()).hasValue(HeadgeoTopology.TRACK);
        assertThat(context.forwarded().get(0).record().value()).isInstanceOf(AnalyzeCheckpointProcessor.Failure.class);
    }

    @Test
    void trackVerdictsRaisesAnAnalysisFailedAlert() {
        MockProcessorContext<String, org.apache.avro.specific.SpecificRecord> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(9L);
        KeyValueStore<String, RunHistory> history = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE),
                Serdes.String(), new AvroSerde<RunHistory>(RunHistory.getClassSchema(), AvroSerde.Format.avro)).withLoggingDisabled().build();
        history.init(context.getStateStoreContext(), history);
        context.addStateStore(history);
        TrackVerdictsProcessor track = new TrackVerdictsProcessor(StreamSettings.defaults(), HeadgeoMetrics.unregistered());
        track.init(context);

        track.process(new Record<>("broken", new AnalyzeCheckpointProcessor.Failure("broken", 7, 2, 2, "ArithmeticException: boom"), 5L));

        Alert alert = (Alert) context.forwarded().get(0).record().value();
        assertThat(alert.getType()).isEqualTo(AlertType.ANALYSIS_FAILED);
        assertThat(alert.getCheckpoint()).isEqualTo(7);
        assertThat(alert.getMessage()).contains("checkpoint 7", "ArithmeticException: boom", "PROCESSING_ERROR");
        assertThat(history.get("broken")).as("a failed checkpoint is not part of the history").isNull();
    }

    @Test
    void theHandlerDeadLettersEveryLayerAsProcessingError() {
        RejectedRecordHandler handler = new RejectedRecordHandler();
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
        GatheredCheckpoint g = gathered();
        var response = handler.handleError(context(), new org.apache.kafka.streams.processor.api.Record<>("broken", "x", 5L),
                new AnalysisFailedException("broken", 7, g.layerBytes(), new ArithmeticException("boom")));

        List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
        assertThat(dead).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(dead.get(i).topic()).isEqualTo("dlq");
            assertThat(dead.get(i).value()).isEqualTo(g.layerBytes().get(i));
            assertThat(new String(dead.get(i).key(), StandardCharsets.UTF_8)).isEqualTo("broken");
            assertThat(new String(dead.get(i).headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("PROCESSING_ERROR");
        }
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
                return new RecordHeaders();
            }

            public String processorNodeId() {
                return HeadgeoTopology.ANALYZE;
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
