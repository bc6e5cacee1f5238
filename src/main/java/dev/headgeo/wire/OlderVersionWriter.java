package dev.headgeo.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes today's records in an earlier version of their schema, as a release that knows only that
 * version reads them (during a rolling upgrade, see {@link Compatibility}): the record is encoded
 * with today's schema and read back with the earlier one as reader schema, which drops the fields
 * added since, then encoded in single-object form with the earlier schema's fingerprint.
 */
final class OlderVersionWriter<T extends SpecificRecord> {
    private final SpecificDatumWriter<T> current;
    private final GenericDatumReader<Object> toOlder;
    private final GenericDatumWriter<Object> older;
    private final byte[] header = new byte[10];

    OlderVersionWriter(Schema schema, Schema olderSchema, SpecificData model) {
        this.current = new SpecificDatumWriter<>(schema, model);
        this.toOlder = new GenericDatumReader<>(schema, olderSchema, GenericData.get());
        this.older = new GenericDatumWriter<>(olderSchema, GenericData.get());
        ByteBuffer.wrap(header)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3)
                .put((byte) 0x01)
                .putLong(SchemaNormalization.parsingFingerprint64(olderSchema));
    }

    /**
     * @throws org.apache.avro.AvroTypeException when the record holds what the earlier version
     *     cannot say (an enum symbol added since)
     */
    byte[] encode(T record) throws IOException {
        ByteArrayOutputStream now = new ByteArrayOutputStream(1024);
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(now, null);
        current.write(record, e);
        e.flush();
        Object projected =
                toOlder.read(null, DecoderFactory.get().binaryDecoder(now.toByteArray(), null));
        ByteArrayOutputStream out = new ByteArrayOutputStream(now.size() + header.length);
        out.write(header);
        BinaryEncoder o = EncoderFactory.get().binaryEncoder(out, null);
        older.write(projected, o);
        o.flush();
        return out.toByteArray();
    }
}
