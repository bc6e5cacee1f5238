package dev.headgeo.stream;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic headgeo touches, each with its name, key serde and value serde, so that the
 * topology, the CLI and the tests never repeat a name or a serde.
 */
public final class HeadgeoTopics {
    public static final String DEFAULT_LAYERS = "headgeo.layers";
    public static final String DEFAULT_REPORTS = "headgeo.reports";
    public static final String DEFAULT_ALERTS = "headgeo.alerts";
    public static final String DEFAULT_DEAD_LETTERS = "headgeo.dead-letters";

    /** One topic: its name and how its keys and values are (de)serialised. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    }

    private final Topic<String, LayerGeometry> layers;
    private final Topic<String, CheckpointReport> reports;
    private final Topic<String, Alert> alerts;
    private final Topic<byte[], byte[]> deadLetters;

    /**
     * @param outputFormat the value format written to reports and alerts; reading accepts both
     * @param layersFormat the value format written to the layers topic (by {@code publish})
     */
    public HeadgeoTopics(String layersTopic, String reportsTopic, String alertsTopic, String deadLetterTopic,
                         AvroSerde.Format outputFormat, AvroSerde.Format layersFormat) {
        this.layers = new Topic<>(layersTopic, Serdes.String(), new AvroSerde<>(LayerGeometry.getClassSchema(), layersFormat));
        this.reports = new Topic<>(reportsTopic, Serdes.String(), new AvroSerde<>(CheckpointReport.getClassSchema(), outputFormat));
        this.alerts = new Topic<>(alertsTopic, Serdes.String(), new AvroSerde<>(Alert.getClassSchema(), outputFormat));
        this.deadLetters = new Topic<>(deadLetterTopic, Serdes.ByteArray(), Serdes.ByteArray());
    }

    /** The default names, Avro values. */
    public static HeadgeoTopics defaults() {
        return new HeadgeoTopics(DEFAULT_LAYERS, DEFAULT_REPORTS, DEFAULT_ALERTS, DEFAULT_DEAD_LETTERS,
                AvroSerde.Format.avro, AvroSerde.Format.avro);
    }

    public Topic<String, LayerGeometry> layers() {
        return layers;
    }

    public Topic<String, CheckpointReport> reports() {
        return reports;
    }

    public Topic<String, Alert> alerts() {
        return alerts;
    }

    public Topic<byte[], byte[]> deadLetters() {
        return deadLetters;
    }

    public List<String> names() {
        return List.of(layers.name(), reports.name(), alerts.name(), deadLetters.name());
    }
}
