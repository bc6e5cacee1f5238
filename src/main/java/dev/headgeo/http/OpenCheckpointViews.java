package dev.headgeo.http;

import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.http.api.OpenCheckpointView;
import dev.headgeo.stream.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Checkpoints whose layers are still arriving, as the API shows them. */
final class OpenCheckpointViews {
    private OpenCheckpointViews() {}

    /**
     * §10's open_checkpoints entries, ascending by checkpoint; with the layers each lacks when
     * {@code layers} is given.
     */
    static List<OpenCheckpointView> of(
            List<OpenCheckpoint> open, Function<OpenCheckpoint, List<Integer>> missingLayers) {
        if (open == null) {
            return List.of();
        }
        List<OpenCheckpoint> sorted = new ArrayList<>(open);
        sorted.sort(java.util.Comparator.comparingLong(OpenCheckpoint::getCheckpoint));
        List<OpenCheckpointView> out = new ArrayList<>();
        for (OpenCheckpoint o : sorted) {
            out.add(
                    new OpenCheckpointView(
                            o.getCheckpoint(),
                            o.getLayersReceived(),
                            o.getNumLayers(),
                            o.getFirstLayerAt(),
                            o.getLastLayerAt(),
                            missingLayers == null ? null : missingLayers.apply(o)));
        }
        return out;
    }

    /**
     * The layers of {@code o} the layers store (this instance's copy; null: none) does not hold.
     */
    static List<Integer> missingLayers(
            OpenCheckpoint o, ReadOnlyKeyValueStore<String, byte[]> layers, StringSerializer keys) {
        boolean[] have = new boolean[o.getNumLayers()];
        if (layers == null) {
            return missing(have);
        }
        String prefix =
                StoreKeys.layerPrefix(StoreKeys.checkpoint(o.getRunId(), o.getCheckpoint()));
        try (KeyValueIterator<String, byte[]> it = layers.prefixScan(prefix, keys)) {
            it.forEachRemaining(
                    e -> {
                        int layer = Integer.parseInt(e.key.substring(prefix.length()));
                        if (layer >= 0 && layer < have.length) {
                            have[layer] = true;
                        }
                    });
        }
        return missing(have);
    }

    private static List<Integer> missing(boolean[] have) {
        List<Integer> missing = new ArrayList<>();
        for (int l = 0; l < have.length; l++) {
            if (!have[l]) {
                missing.add(l);
            }
        }
        return missing;
    }
}
