package dev.headgeo.stream;

import dev.headgeo.avro.LayerGeometry;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The layers topic's value deserializer with the size limit applied to the bytes as received,
 * before anything is decoded: a record over the limit is TOO_LARGE however it would decode, and
 * a huge value is never expanded into objects.
 */
final class SizeLimitedLayerDeserializer implements Deserializer<LayerGeometry> {
    private final Deserializer<LayerGeometry> decoder;
    private final int maxBytes;

    SizeLimitedLayerDeserializer(Deserializer<LayerGeometry> decoder, int maxBytes) {
        this.decoder = decoder;
        this.maxBytes = maxBytes;
    }

    @Override
    public LayerGeometry deserialize(String topic, byte[] data) {
        if (data != null && data.length > maxBytes) {
            throw new RejectedRecordException(RejectReason.TOO_LARGE,
                    "layer record is " + data.length + " bytes, the limit is " + maxBytes + " (--max-layer-bytes)");
        }
        return decoder.deserialize(topic, data);
    }
}
