package dev.headgeo.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which of a run's tags become labels (`run --label-tags`, `forward --label-tags`): the same keys
 * on both paths give the same label sets, so Alertmanager routes and silences by them (an {@code
 * owner} tag routes to its owner's receiver) and merges the two paths' alerts. A key must be a
 * valid Prometheus label name and not one of headgeo's own labels.
 */
public final class TagLabels {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final List<String> OWN =
            List.of(
                    "alertname",
                    "run_id",
                    "anchor",
                    "severity",
                    "direction",
                    "primary_anchor",
                    "instance",
                    "job",
                    "reason");

    private TagLabels() {}

    /**
     * @throws IllegalArgumentException naming the first key that cannot be a label
     */
    public static void check(List<String> keys) {
        for (String k : keys) {
            if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__")) {
                throw new IllegalArgumentException(
                        "tag '"
                                + k
                                + "' cannot be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
            }
            if (OWN.contains(k)) {
                throw new IllegalArgumentException(
                        "tag '" + k + "' would replace headgeo's own label " + k);
            }
        }
    }

    /**
     * The labels for {@code keys} from a run's {@code tags}: the tag's value, or empty (Prometheus:
     * no label) when absent.
     */
    public static Map<String, String> of(List<String> keys, Map<String, String> tags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys) {
            String v = tags == null ? null : tags.get(k);
            out.put(k, v == null ? "" : v);
        }
        return out;
    }
}
