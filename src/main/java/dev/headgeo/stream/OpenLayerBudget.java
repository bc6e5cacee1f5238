package dev.headgeo.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of gathered layers held by all tasks of one processor instance, against {@code
 * --max-open-layer-bytes}. Shared by the gather-layers processors of one topology (one per task, on
 * any stream thread); each adds what it stores, takes back what it removes, and gives back all it
 * holds when it is closed (its task moved or stopped).
 */
final class OpenLayerBudget {
    private final long maxBytes;
    private final AtomicLong held = new AtomicLong();

    OpenLayerBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(long bytes) {
        held.addAndGet(bytes);
    }

    boolean exceeded() {
        return held.get() > maxBytes;
    }

    long held() {
        return held.get();
    }

    long maxBytes() {
        return maxBytes;
    }
}
