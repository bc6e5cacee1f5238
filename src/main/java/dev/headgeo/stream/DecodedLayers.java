package dev.headgeo.stream;

import dev.headgeo.wire.LayerValues;
import java.util.HashMap;
import java.util.Map;

/**
 * The layers a gather-layers processor stored since its last init, already decoded, so that a
 * completing checkpoint is not decoded a second time. Only a shortcut, and bounded: a layer that is
 * not here (restored from the changelog after a restart or a rebalance, or left out because the
 * budget was spent by checkpoints that stay open) is decoded from the store instead.
 */
final class DecodedLayers {
    /**
     * Per task; at 33 KB a layer, five hundred layers, or a few open checkpoints of large models.
     */
    static final long DEFAULT_BUDGET_BYTES = 16L * 1024 * 1024;

    private record Entry(LayerValues values, int bytes) {}

    private final long budgetBytes;
    private final Map<String, Entry> entries = new HashMap<>();
    private long bytes;

    DecodedLayers(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * Keeps {@code values} for {@code key} (replacing an earlier copy) if the budget allows; {@code
     * size} is its stored size.
     */
    void put(String key, LayerValues values, int size) {
        take(key);
        if (bytes + size <= budgetBytes) {
            entries.put(key, new Entry(values, size));
            bytes += size;
        }
    }

    /** The decoded layer of {@code key}, forgotten here; null when it was not kept. */
    LayerValues take(String key) {
        Entry e = entries.remove(key);
        if (e == null) {
            return null;
        }
        bytes -= e.bytes();
        return e.values();
    }

    void clear() {
        entries.clear();
        bytes = 0;
    }

    long bytes() {
        return bytes;
    }
}
