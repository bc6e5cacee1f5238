package dev.headgeo.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * On SIGTERM / Ctrl-C, asks the command's loop to stop and lets the JVM exit once the command has
 * closed its resources (or after 5 s), so that a consumer closes cleanly. The hook waits for {@link
 * #close()}, not for the command's thread to end: that thread ends in System.exit, which blocks
 * while shutdown hooks run. A stop that closed cleanly exits 0 (a signal would make it 143 or 130,
 * which a supervisor restarting "on failure" takes for a crash).
 */
final class SignalStop implements AutoCloseable {
    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);

    private SignalStop(Runnable stop, String name) {
        this.hook =
                new Thread(
                        () -> {
                            boolean bySignal = CleanStop.bySignal();
                            stop.run();
                            try {
                                if (finished.await(5, TimeUnit.SECONDS)) {
                                    CleanStop.exitZeroIf(bySignal);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        name);
    }

    /**
     * @param stop ends the loop of the calling thread from the hook's thread (a consumer's wakeup,
     *     for example)
     */
    static SignalStop install(String name, Runnable stop) {
        SignalStop s = new SignalStop(stop, name);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
