package dev.headgeo.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program nobody here wrote (Prometheus, Alertmanager), started by a test on a loopback port, its
 * output kept in a file.
 */
public final class ExternalProgram implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String name;

    private ExternalProgram(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** True when {@code path} is an executable file. */
    public static boolean installed(String path) {
        return new File(path).canExecute();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code command}, then waits until {@code readyUrl} answers 200. */
    public static ExternalProgram start(
            String name, List<String> command, Path workDir, String readyUrl, Duration patience)
            throws IOException, InterruptedException {
        Path log = workDir.resolve(name + ".log");
        Process p =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        ExternalProgram program = new ExternalProgram(name, p, log);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited: " + program.output());
            }
            try {
                HttpResponse<String> r =
                        client.send(
                                HttpRequest.newBuilder(URI.create(readyUrl))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return program;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        program.close();
        throw new IllegalStateException(
                name + " not ready within " + patience + ": " + program.output());
    }

    /** What the program printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
