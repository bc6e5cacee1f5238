package dev.headgeo.cli;

/**
 * Exit status 0 after a stop by SIGTERM or Ctrl-C that closed cleanly: the JVM's own status after a
 * signal is 128 + its number (143, 130), which a supervisor restarting "on failure" takes for a
 * crash. A shutdown hook notes {@link #bySignal()} when it starts and calls {@link #exitZeroIf}
 * once its resources are closed; when the shutdown came from the command itself ({@code
 * System.exit} in {@link Main}), its status stands.
 */
final class CleanStop {
    private static volatile boolean commandExiting;

    private CleanStop() {}

    /** Main calls this just before System.exit: the status is the command's, not a signal's. */
    static void commandExits() {
        commandExiting = true;
    }

    /**
     * Asked by a shutdown hook when it starts: true when a signal, not the command, began the
     * shutdown.
     */
    static boolean bySignal() {
        return !commandExiting;
    }

    /**
     * Ends the process with status 0 when {@code bySignal} (as {@link #bySignal()} said when the
     * hook started).
     */
    static void exitZeroIf(boolean bySignal) {
        if (bySignal) {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }
    }
}
