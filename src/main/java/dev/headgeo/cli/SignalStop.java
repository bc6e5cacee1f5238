package dev.headgeo.cli;

/**
 * On SIGTERM / Ctrl-C, asks the command's loop to stop and lets the JVM exit only once the command
 * thread has finished (or after 5 s), so that a consumer closes cleanly. Closing it removes the hook
 * when the command ends by itself.
 */
final class SignalStop implements AutoCloseable {
    private final Thread hook;

    private SignalStop(Thread hook) {
        this.hook = hook;
    }

    /** @param stop ends the loop of the calling thread from the hook's thread (a consumer's wakeup, for example) */
    static SignalStop install(String name, Runnable stop) {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                main.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return new SignalStop(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
