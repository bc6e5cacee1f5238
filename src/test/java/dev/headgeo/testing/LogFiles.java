package dev.headgeo.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The output files of processes a test started: wait until one says something. */
public final class LogFiles {
    private LogFiles() {}

    /**
     * Waits until {@code log} contains {@code text}.
     *
     * @param process fails the wait at once when it exits first; null to not watch one
     * @throws AssertionError with the log's content when the patience ends or the process exits
     */
    public static void awaitText(Path log, String text, Duration patience, Process process)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            String content = Files.exists(log) ? Files.readString(log) : "";
            if (content.contains(text)) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new AssertionError(
                        log.getFileName()
                                + ": the process exited before logging '"
                                + text
                                + "':\n"
                                + content);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                log.getFileName()
                        + " never said '"
                        + text
                        + "' within "
                        + patience
                        + ":\n"
                        + (Files.exists(log) ? Files.readString(log) : "(no output)"));
    }
}
