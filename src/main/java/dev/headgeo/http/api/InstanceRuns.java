package dev.headgeo.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance's own answer to {@code /api/runs} for the instance that gathers them: the runs it
 * processes (active copies) and those it only keeps standby copies of, which lose to an active copy
 * elsewhere. Between instances it travels as release 0.4 sent it, so that instances of both
 * releases gather each other's runs during a rolling upgrade: {@code {"runs": [RunSummary + "copy":
 * "active" | "standby"]}}.
 */
public record InstanceRuns(List<RunSummary> active, List<RunSummary> standby) {
    private static final String COPY = "copy";

    public ObjectNode toWire() {
        ObjectNode out = ApiJson.MAPPER.createObjectNode();
        ArrayNode runs = out.putArray("runs");
        active.forEach(
                s -> runs.add(((ObjectNode) ApiJson.MAPPER.valueToTree(s)).put(COPY, "active")));
        standby.forEach(
                s -> runs.add(((ObjectNode) ApiJson.MAPPER.valueToTree(s)).put(COPY, "standby")));
        out.putArray("missing_instances");
        return out;
    }

    /**
     * @throws UncheckedIOException when {@code json} is not that shape
     */
    public static InstanceRuns fromWire(String json) {
        JsonNode tree = ApiJson.read(json, JsonNode.class);
        List<RunSummary> active = new ArrayList<>();
        List<RunSummary> standby = new ArrayList<>();
        for (JsonNode run : tree.path("runs")) {
            ObjectNode summary = run.deepCopy();
            JsonNode copy = summary.remove(COPY);
            RunSummary s;
            try {
                s = ApiJson.MAPPER.treeToValue(summary, RunSummary.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            (copy != null && copy.asText().equals("standby") ? standby : active).add(s);
        }
        return new InstanceRuns(active, standby);
    }
}
