package dev.headgeo.wire;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of one generated record type. Writes Avro single-object encoding or compact JSON, as
 * configured; reads either, telling them apart per record by the first bytes. A value that is
 * neither throws {@link AvroCodec.MalformedException}, which the deserialization exception handler
 * dead-letters.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    /** Value format written by a serde. */
    public enum Format {
        avro,
        json
    }

    private final AvroCodec<T> codec;
    private final Format format;

    public AvroSerde(Schema schema, Format format) {
        this(schema, format, null);
    }

    /**
     * Writing {@code writeAs}, an earlier version of {@code schema} (null: {@code schema}); see
     * {@link Compatibility}.
     */
    AvroSerde(Schema schema, Format format, Schema writeAs) {
        this.codec = new AvroCodec<>(schema, writeAs);
        this.format = format;
    }

    /** The format this serde writes. */
    public Format format() {
        return format;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) ->
                record == null
                        ? null
                        : format == Format.json ? codec.toJson(record) : codec.toAvro(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
    }
}
