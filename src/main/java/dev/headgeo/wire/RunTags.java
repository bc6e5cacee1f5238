package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.util.Printable;
import java.util.Map;

/** The rules of a layer record's {@code tags} (run context such as owner or learning rate), shared by producers and the processor. */
public final class RunTags {
    private RunTags() {
    }

    /**
     * design §10: at most 32 tags, keys up to 64 and values up to 256 characters, no control characters; the
     * numbers are the layer record schema's {@code headgeo.limits}, which the Python client reads too.
     */
    private static final Map<?, ?> LIMITS = (Map<?, ?>) LayerGeometry.getClassSchema().getField("tags").getObjectProp("headgeo.limits");
    public static final int MAX_TAGS = limit("max_entries");
    public static final int MAX_TAG_KEY = limit("max_key_length");
    public static final int MAX_TAG_VALUE = limit("max_value_length");

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
                return "tag key '" + Printable.of(k) + "' has " + k.length() + " characters, must be 1 to " + MAX_TAG_KEY;
            }
            if (value.length() > MAX_TAG_VALUE) {
                return "tag " + Printable.of(k) + " has a value of " + value.length() + " characters, the limit is " + MAX_TAG_VALUE;
            }
            if (Printable.hasControl(k) || Printable.hasControl(value)) {
                return "tag " + Printable.of(k) + "=" + Printable.of(value) + " contains control characters";
            }
        }
        return null;
    }
}
