package dev.headgeo.http;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that trickles a request's headers in (slowloris): the idle time-out restarts
 * with every byte, so a client sending one byte every few seconds would otherwise hold its
 * connection for as long as it likes. Every {@link #WINDOW_MS} each open connection is looked at:
 * one that received bytes but no complete request in two windows in a row is closed, so a request's
 * headers get at least one whole window and a trickle is cut within three. A request read in one go
 * (what every real client sends) never spans two windows.
 */
final class SlowHeaderGuard implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(SlowHeaderGuard.class);
    static final long WINDOW_MS = 5_000;

    private final Scheduler scheduler;
    private final long windowMs;

    SlowHeaderGuard(Scheduler scheduler, long windowMs) {
        this.scheduler = scheduler;
        this.windowMs = windowMs;
    }

    @Override
    public void onOpened(Connection connection) {
        watch(connection, connection.getBytesIn(), connection.getMessagesIn(), 0);
    }

    private void watch(Connection connection, long bytes, long messages, int strikes) {
        scheduler.schedule(
                () -> check(connection, bytes, messages, strikes), windowMs, TimeUnit.MILLISECONDS);
    }

    private void check(Connection connection, long bytesBefore, long messagesBefore, int strikes) {
        if (!connection.getEndPoint().isOpen()) {
            return;
        }
        long bytes = connection.getBytesIn();
        long messages = connection.getMessagesIn();
        boolean trickling = bytes > bytesBefore && messages == messagesBefore;
        if (trickling && strikes + 1 >= 2) {
            LOG.debug(
                    "closing {}: bytes but no complete request for {} ms",
                    connection.getEndPoint().getRemoteSocketAddress(),
                    2 * windowMs);
            connection.close();
            return;
        }
        watch(connection, bytes, messages, trickling ? strikes + 1 : 0);
    }
}
