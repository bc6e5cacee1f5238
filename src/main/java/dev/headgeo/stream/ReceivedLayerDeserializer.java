package dev.headgeo.stream;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.LayerArrays;
import dev.headgeo.wire.LayerReader;
import dev.headgeo.wire.LayerValues;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The layers topic's value deserializer: the size limit on the bytes as received, before anything
 * is decoded (a record over the limit is TOO_LARGE however it would decode, and a huge value is
 * never expanded into objects), then the record as primitive arrays together with the bytes the
 * store keeps (Avro single-object encoding): the bytes as received when they are Avro, encoded once
 * when they came as JSON.
 */
final class ReceivedLayerDeserializer implements Deserializer<ReceivedLayerDeserializer.ReceivedLayer> {
    /** A decoded layer record and its Avro single-object bytes. */
    record ReceivedLayer(LayerValues values, byte[] avro) {
    }

    private final Deserializer<LayerGeometry> jsonDecoder;
    private final AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
    private final LayerReader reader = new LayerReader();
    private final int maxBytes;

    /** @param jsonDecoder the layers topic's own deserializer, used for values that are not Avro */
    ReceivedLayerDeserializer(Deserializer<LayerGeometry> jsonDecoder, int maxBytes) {
        this.jsonDecoder = jsonDecoder;
        this.maxBytes = maxBytes;
    }

    @Override
    public ReceivedLayer deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > maxBytes) {
            throw new RejectedRecordException(RejectReason.TOO_LARGE,
                    "layer record is " + data.length + " bytes, the limit is " + maxBytes + " (--max-layer-bytes)");
        }
        if (AvroCodec.isAvroSingleObject(data)) {
            return new ReceivedLayer(reader.read(data), data);
        }
        LayerGeometry record = jsonDecoder.deserialize(topic, data);
        return new ReceivedLayer(LayerArrays.values(record), codec.toAvro(record));
    }
}
