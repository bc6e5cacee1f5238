package dev.headgeo.http;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most so many requests at once; the excess is answered at once with 503 and {@code Retry-After}
 * (never an empty reply, never a queue that grows), and the probes are always let in. An episode of
 * overload is logged once when it starts and once when it has been over for {@link #QUIET_MS} (said
 * with the next request), with how many were turned away.
 */
final class LoadShedding {
    private static final Logger LOG = LoggerFactory.getLogger(LoadShedding.class);

    /** Seconds a turned-away client is asked to wait. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final Semaphore permits;
    private final int limit;

    /** An episode ends after this long without a request turned away. */
    static final long QUIET_MS = 10_000;

    private final AtomicLong shedInEpisode = new AtomicLong();
    private volatile long lastShedNanos;

    LoadShedding(int limit) {
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    /** A permit to answer, or false when {@code limit} requests are being answered already. */
    boolean tryEnter() {
        if (permits.tryAcquire()) {
            endQuietEpisode();
            return true;
        }
        lastShedNanos = System.nanoTime();
        if (shedInEpisode.getAndIncrement() == 0) {
            LOG.warn(
                    "HTTP overloaded: more than {} requests at once; answering the excess 503 with"
                            + " Retry-After until it passes",
                    limit);
        }
        return false;
    }

    void exit() {
        permits.release();
    }

    private void endQuietEpisode() {
        if (shedInEpisode.get() > 0 && System.nanoTime() - lastShedNanos > QUIET_MS * 1_000_000) {
            long shed = shedInEpisode.getAndSet(0);
            if (shed > 0) {
                LOG.warn("HTTP overload over: {} requests were answered 503", shed);
            }
        }
    }

    static Reply busy() {
        return Reply.error(503, "too many requests at once; retry in " + RETRY_AFTER_SECONDS + " s")
                .withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }
}
