package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.util.Printable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of a layer record's {@code tags} (run context such as owner or learning rate), shared
 * by producers and the processor.
 */
public final class RunTags {
    private RunTags() {}

    /**
     * design §10: at most 32 tags, keys up to 64 and values up to 256 characters, no control
     * characters; the numbers are the layer record schema's {@code headgeo.limits}, which the
     * Python client reads too.
     */
    private static final Map<?, ?> LIMITS =
            (Map<?, ?>)
                    LayerGeometry.getClassSchema().getField("tags").getObjectProp("headgeo.limits");

    public static final int MAX_TAGS = limit("max_entries");
    public static final int MAX_TAG_KEY = limit("max_key_length");
    public static final int MAX_TAG_VALUE = limit("max_value_length");

    /**
     * design §15: the tags a training job's callbacks send as its training context with each
     * checkpoint, the schema's {@code headgeo.context_keys} (the Python client reads the same
     * list).
     */
    public static final List<String> CONTEXT_KEYS =
            ((List<?>)
                            LayerGeometry.getClassSchema()
                                    .getField("tags")
                                    .getObjectProp("headgeo.context_keys"))
                    .stream().map(String::valueOf).toList();

    /**
     * A decimal number as JSON writes one (and Python's repr of a finite float): not Java's "1d",
     * "0x1p3" or "NaN".
     */
    private static final Pattern DECIMAL =
            Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?");

    /**
     * The training context among {@code tags}: each context key whose value is a finite decimal
     * number, in key order.
     */
    public static Map<String, Double> trainingContext(Map<String, String> tags) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String key : CONTEXT_KEYS) {
            String value = tags.get(key);
            // a job may send "loss=n/a": it stays a tag and is no number
            if (value != null && DECIMAL.matcher(value.strip()).matches()) {
                double number = Double.parseDouble(value.strip());
                if (Double.isFinite(number)) {
                    out.put(key, number);
                }
            }
        }
        return out;
    }

    private static int limit(String name) {
        return ((Number) LIMITS.get(name)).intValue();
    }

    public static String problem(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            return "tags has " + tags.size() + " entries, the limit is " + MAX_TAGS;
        }
        for (var e : tags.entrySet()) {
            String k = e.getKey();
            String value = e.getValue();
            if (k.isEmpty() || k.length() > MAX_TAG_KEY) {
                return "tag key '"
                        + Printable.of(k)
                        + "' has "
                        + k.length()
                        + " characters, must be 1 to "
                        + MAX_TAG_KEY;
            }
            if (value.length() > MAX_TAG_VALUE) {
                return "tag "
                        + Printable.of(k)
                        + " has a value of "
                        + value.length()
                        + " characters, the limit is "
                        + MAX_TAG_VALUE;
            }
            if (Printable.hasControl(k) || Printable.hasControl(value)) {
                return "tag "
                        + Printable.of(k)
                        + "="
                        + Printable.of(value)
                        + " contains control characters";
            }
        }
        return null;
    }
}
