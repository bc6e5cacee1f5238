package dev.headgeo.stream;

import dev.headgeo.util.Printable;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.LayerJsonReader;
import dev.headgeo.wire.LayerReader;
import dev.headgeo.wire.LayerValues;
import dev.headgeo.wire.LayerWriter;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the layers topic's values: the size limit on the bytes as received, before anything is
 * decoded (a record over the limit is TOO_LARGE however it would decode, and a huge value is never
 * expanded into objects), then the record as primitive arrays together with the bytes the store
 * keeps (Avro single-object encoding): the bytes as received when they are Avro, encoded once when
 * they came as JSON. What cannot be decoded is a MALFORMED dead letter, here in the topology and
 * not in a deserialization handler, so that no configuration can turn it off.
 */
final class DecodeLayersProcessor implements Processor<String, byte[], String, Flow.DecodeOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeLayersProcessor.class);

    private final LayerReader reader = new LayerReader();
    private final LayerJsonReader jsonReader = new LayerJsonReader();
    private final LayerWriter writer = new LayerWriter();
    private final int maxBytes;
    private final DeadLetters deadLetters;
    private ProcessorContext<String, Flow.DecodeOutput> context;

    DecodeLayersProcessor(int maxBytes, DeadLetters deadLetters) {
        this.maxBytes = maxBytes;
        this.deadLetters = deadLetters;
    }

    @Override
    public void init(ProcessorContext<String, Flow.DecodeOutput> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        byte[] data = record.value();
        if (data == null) {
            reject(record, RejectReason.MALFORMED, "the record has no value", null);
            return;
        }
        if (data.length > maxBytes) {
            reject(
                    record,
                    RejectReason.TOO_LARGE,
                    "layer record is "
                            + data.length
                            + " bytes, the limit is "
                            + maxBytes
                            + " (--max-layer-bytes)",
                    null);
            return;
        }
        Flow.ReceivedLayer layer;
        try {
            if (AvroCodec.isAvroSingleObject(data)) {
                layer = new Flow.ReceivedLayer(reader.read(data), data, data);
            } else {
                LayerValues values = jsonReader.read(data);
                layer = new Flow.ReceivedLayer(values, writer.toAvro(values), data);
            }
        } catch (RuntimeException e) {
            reject(
                    record,
                    RejectReason.MALFORMED,
                    e.getMessage() == null ? e.toString() : e.getMessage(),
                    e);
            return;
        }
        HeadgeoTopology.GATHER.send(context, record.withValue(layer));
    }

    private void reject(
            Record<String, byte[]> record, RejectReason reason, String detail, Throwable cause) {
        Record<String, Flow.DeadLetter> dead =
                deadLetters.of(
                        record.key(),
                        record.value(),
                        record.timestamp(),
                        DeadLetters.sourceOf(context, record),
                        reason,
                        detail,
                        cause);
        LOG.warn("dead letter {} {}: {}", reason, DeadLetters.where(dead), Printable.of(detail));
        HeadgeoTopology.DEAD_LETTERS.send(context, dead);
    }
}
