package dev.headgeo.wire;

import dev.headgeo.util.Printable;
import java.util.Map;

/** The rules of a layer record's {@code tags} (run context such as owner or learning rate), shared by producers and the processor. */
public final class RunTags {
    private RunTags() {
    }

    /** design §10: at most 32 tags, keys up to 64 and values up to 256 characters, no control characters. */
    public static final int MAX_TAGS = 32;
    public static final int MAX_TAG_KEY = 64;
    public static final int MAX_TAG_VALUE = 256;

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
