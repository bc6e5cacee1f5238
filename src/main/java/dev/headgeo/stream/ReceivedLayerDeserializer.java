package dev.headgeo.stream;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.AvroCodec;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The layers topic's value deserializer: the size limit on the bytes as received, before anything
 * is decoded (a record over the limit is TOO_LARGE however it would decode, and a huge value is
 * never expanded into objects), then the record, with its bytes kept when they already are what the
 * store keeps (Avro single-object encoding), so that a layer is not encoded again.
 */
final class ReceivedLayerDeserializer implements Deserializer<ReceivedLayerDeserializer.ReceivedLayer> {
    /** A decoded layer record; {@code avro} is its bytes as received when they are Avro single-object encoding, else null. */
    record ReceivedLayer(LayerGeometry record, byte[] avro) {
    }

    private final Deserializer<LayerGeometry> decoder;
    private final int maxBytes;

    ReceivedLayerDeserializer(Deserializer<LayerGeometry> decoder, int maxBytes) {
        this.decoder = decoder;
        this.maxBytes = maxBytes;
    }

    @Override
    public ReceivedLayer deserialize(String topic, byte[] data) {
        if (data != null && data.length > maxBytes) {
            throw new RejectedRecordException(RejectReason.TOO_LARGE,
                    "layer record is " + data.length + " bytes, the limit is " + maxBytes + " (--max-layer-bytes)");
        }
        LayerGeometry record = decoder.deserialize(topic, data);
        return record == null ? null : new ReceivedLayer(record, AvroCodec.isAvroSingleObject(data) ? data : null);
    }
}
