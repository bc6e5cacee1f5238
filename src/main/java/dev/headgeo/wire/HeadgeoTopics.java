package dev.headgeo.wire;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic headgeo touches, each with its name, key serde and value serde, so that the topology,
 * the clients and the tests never repeat a name or a serde. Built with named settings: {@code
 * HeadgeoTopics.builder().reports("r").outputFormat(json).build()}; what is not set keeps its
 * default.
 */
public final class HeadgeoTopics {
    public static final String DEFAULT_LAYERS = "headgeo.layers";
    public static final String DEFAULT_REPORTS = "headgeo.reports";
    public static final String DEFAULT_ALERTS = "headgeo.alerts";
    public static final String DEFAULT_DEAD_LETTERS = "headgeo.dead-letters";

    /** One topic: its name and how its keys and values are (de)serialised. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}

    private final Topic<String, LayerGeometry> layers;
    private final Topic<String, CheckpointReport> reports;
    private final Topic<String, Alert> alerts;
    private final Topic<byte[], byte[]> deadLetters;
    private final Compatibility compatibility;

    private HeadgeoTopics(Builder b) {
        this.compatibility = b.compatibility;
        this.layers =
                new Topic<>(
                        b.layers,
                        Serdes.String(),
                        new AvroSerde<>(LayerGeometry.getClassSchema(), b.layersFormat));
        this.reports =
                new Topic<>(
                        b.reports,
                        Serdes.String(),
                        compatibility.serde(CheckpointReport.getClassSchema(), b.outputFormat));
        this.alerts =
                new Topic<>(
                        b.alerts,
                        Serdes.String(),
                        compatibility.serde(Alert.getClassSchema(), b.outputFormat));
        this.deadLetters = new Topic<>(b.deadLetters, Serdes.ByteArray(), Serdes.ByteArray());
    }

    /** The default names, Avro values. */
    public static HeadgeoTopics defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
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

    /** Which record versions are written, to the output topics and the state stores. */
    public Compatibility compatibility() {
        return compatibility;
    }

    public Topic<byte[], byte[]> deadLetters() {
        return deadLetters;
    }

    public List<String> names() {
        return List.of(layers.name(), reports.name(), alerts.name(), deadLetters.name());
    }

    /** Named settings of {@link HeadgeoTopics}; a null name keeps the default. */
    public static final class Builder {
        private String layers = DEFAULT_LAYERS;
        private String reports = DEFAULT_REPORTS;
        private String alerts = DEFAULT_ALERTS;
        private String deadLetters = DEFAULT_DEAD_LETTERS;
        private AvroSerde.Format outputFormat = AvroSerde.Format.avro;
        private Compatibility compatibility = Compatibility.CURRENT;
        private AvroSerde.Format layersFormat = AvroSerde.Format.avro;

        private Builder() {}

        public Builder layers(String name) {
            layers = name == null ? layers : name;
            return this;
        }

        public Builder reports(String name) {
            reports = name == null ? reports : name;
            return this;
        }

        public Builder alerts(String name) {
            alerts = name == null ? alerts : name;
            return this;
        }

        public Builder deadLetters(String name) {
            deadLetters = name == null ? deadLetters : name;
            return this;
        }

        /** The value format written to reports and alerts; reading accepts both. */
        /**
         * The record versions written: today's, or during a rolling upgrade those of the release
         * replaced.
         */
        public Builder compatibility(Compatibility written) {
            compatibility = written;
            return this;
        }

        public Builder outputFormat(AvroSerde.Format format) {
            outputFormat = format;
            return this;
        }

        /** The value format written to the layers topic (by publishers); reading accepts both. */
        public Builder layersFormat(AvroSerde.Format format) {
            layersFormat = format;
            return this;
        }

        public HeadgeoTopics build() {
            return new HeadgeoTopics(this);
        }
    }
}
