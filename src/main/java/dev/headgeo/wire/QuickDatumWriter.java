package dev.headgeo.wire;

import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro's {@link SpecificDatumWriter} with two shortcuts for what headgeo's records are made of,
 * writing the same bytes: an optional value (a union {@code ["null", T]}) is branch 0 when null and
 * 1 otherwise, without Avro's lookup of the value's type by name; and an array of doubles or of
 * optional doubles held as a {@code List<Double>} is written in one loop. A report of 32 layers x
 * 32 heads carries 6,144 optional doubles in its per-head maps, and the lookup per value was most
 * of the time its encoding took (issue #28).
 */
final class QuickDatumWriter<T> extends SpecificDatumWriter<T> {
    QuickDatumWriter(Schema schema, SpecificData model) {
        super(schema, model);
    }

    @Override
    protected int resolveUnion(Schema union, Object datum) {
        return optional(union) ? (datum == null ? 0 : 1) : super.resolveUnion(union, datum);
    }

    @Override
    protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
        Schema items = schema.getElementType();
        boolean optional = optional(items);
        Schema.Type type = optional ? items.getTypes().get(1).getType() : items.getType();
        if (type != Schema.Type.DOUBLE
                || !(datum instanceof List<?> values)
                || items.getLogicalType() != null) {
            super.writeArray(schema, datum, out);
            return;
        }
        out.writeArrayStart();
        out.setItemCount(values.size());
        for (Object value : values) {
            out.startItem();
            if (optional) {
                out.writeIndex(value == null ? 0 : 1);
            }
            if (value != null || !optional) {
                out.writeDouble((Double) value);
            }
        }
        out.writeArrayEnd();
    }

    /** A union of null first and one other type: headgeo's optional fields and nullable numbers. */
    private static boolean optional(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return false;
        }
        List<Schema> types = schema.getTypes();
        return types.size() == 2 && types.get(0).getType() == Schema.Type.NULL;
    }
}
