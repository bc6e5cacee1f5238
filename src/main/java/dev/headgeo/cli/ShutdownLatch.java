package dev.headgeo.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closes something on SIGTERM / Ctrl-C (a JVM shutdown hook) and lets the command wait for that. A
 * close that completed exits 0, not the signal's 143 / 130: it was a clean stop.
 */
final class ShutdownLatch {
    private final CountDownLatch closed = new CountDownLatch(1);

    private ShutdownLatch() {}

    /**
     * Registers a shutdown hook named {@code name} that runs {@code close}, then releases the
     * waiters.
     */
    static ShutdownLatch onSignal(String name, Runnable close) {
        ShutdownLatch latch = new ShutdownLatch();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    boolean bySignal = CleanStop.bySignal();
                                    close.run();
                                    latch.closed.countDown();
                                    CleanStop.exitZeroIf(bySignal);
                                },
                                name));
        return latch;
    }

    /** Waits until the hook has run. */
    void await() throws InterruptedException {
        closed.await();
    }

    /**
     * @return true once the hook has run, false when {@code seconds} passed first
     */
    boolean await(long seconds) throws InterruptedException {
        return closed.await(seconds, TimeUnit.SECONDS);
    }
}
