package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** headgeo's topology in a TopologyTestDriver, with typed input and output topics. */
final class TopologyFixture implements AutoCloseable {
    final HeadgeoTopics topics = HeadgeoTopics.defaults();
    final TopologyTestDriver driver;
    final TestInputTopic<String, LayerGeometry> layers;
    final TestInputTopic<String, byte[]> rawLayers;
    final TestInputTopic<byte[], byte[]> bytesLayers;
    final TestOutputTopic<String, CheckpointReport> reports;
    final TestOutputTopic<String, Alert> alerts;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    TopologyFixture(Path stateDir, StreamSettings settings) {
        this(stateDir, settings, Map.of());
    }

    /** With {@code extra} Streams settings, as a user's {@code --kafka} options would add them. */
    TopologyFixture(Path stateDir, StreamSettings settings, Map<String, String> extra) {
        Properties props =
                HeadgeoStreamsConfig.of(
                        "unused:9092", "headgeo-test", stateDir.toString(), topics, extra);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver =
                new TopologyTestDriver(
                        HeadgeoTopology.build(topics, settings),
                        props,
                        Instant.parse("2026-01-01T00:00:00Z"));
        layers =
                driver.createInputTopic(
                        topics.layers().name(),
                        new StringSerializer(),
                        topics.layers().valueSerde().serializer());
        rawLayers =
                driver.createInputTopic(
                        topics.layers().name(), new StringSerializer(), new ByteArraySerializer());
        bytesLayers =
                driver.createInputTopic(
                        topics.layers().name(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        reports =
                driver.createOutputTopic(
                        topics.reports().name(),
                        topics.reports().keySerde().deserializer(),
                        topics.reports().valueSerde().deserializer());
        alerts =
                driver.createOutputTopic(
                        topics.alerts().name(),
                        topics.alerts().keySerde().deserializer(),
                        topics.alerts().valueSerde().deserializer());
        deadLetters =
                driver.createOutputTopic(
                        topics.deadLetters().name(),
                        topics.deadLetters().keySerde().deserializer(),
                        topics.deadLetters().valueSerde().deserializer());
    }

    static StreamSettings settings(Duration timeout) {
        return StreamSettings.defaults()
                .withCheckpointTimeout(timeout)
                .withHistory(8, Duration.ofDays(1));
    }

    void send(List<LayerGeometry> records) {
        for (LayerGeometry r : records) {
            layers.pipeInput(r.getRunId(), r);
        }
    }

    List<TestRecord<byte[], byte[]>> deadLetterRecords() {
        return deadLetters.readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
